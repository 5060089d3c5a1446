exec(open("/tmp/tq/quick.py").read())
from sklearn.cluster import KMeans
sidx = pickle.load(open("/tmp/tq/sidx.pkl","rb"))
bp=[l.strip() for l in open("/work/wt-topics/bench/gov_boilerplate.txt",encoding="utf-8") if l.strip() and not l.startswith("#")]
for name, k, idx in (("s500",13,sidx),("telecom",8,None),("liuyan",13,None)):
    d = D["telecom" if name=="telecom" else "liuyan"]
    idx = np.arange(len(d["labels"])) if idx is None else idx
    labels, th = pickle.load(open(f"/tmp/tq/theta_{name}.pkl","rb"))
    raw = [d["raw"][i] for i in idx]
    toks = tm.apply_stopwords(raw, set(D["sw_all"])|set(bp))
    nm = [tm.fit_nmf(toks, k, s, init="random").theta for s in range(5)]
    nm0 = tm.fit_nmf(toks, k, 0).theta
    for combo in ("lda10", "lda10+nmf1", "lda10+nmf5rand", "lda5+nmf5rand", "nmf5rand"):
        Zs=[]
        if combo.startswith("lda10"): Zs += [th[(k,r,200)] for r in range(10)]
        if combo.startswith("lda5"): Zs += [th[(k,r,200)] for r in range(5)]
        if "nmf1" in combo: Zs += [nm0]
        if "nmf5" in combo: Zs += nm
        Z=np.sqrt(np.hstack(Zs))
        res=[]
        for s in (0,1,2):
            lab = KMeans(k, n_init=10, random_state=s).fit_predict(Z); res.append(nmi(labels, lab))
        print(name, combo, np.round(np.mean(res),3), np.round(res,3), flush=True)
