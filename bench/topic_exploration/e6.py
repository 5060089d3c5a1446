exec(open("/tmp/tq/quick.py").read())
import tomotopy as tp
from sklearn.cluster import KMeans
sidx = pickle.load(open("/tmp/tq/sidx.pkl","rb"))
bp=[l.strip() for l in open("/work/wt-topics/bench/gov_boilerplate.txt",encoding="utf-8") if l.strip() and not l.startswith("#")]
names = sys.argv[1].split(",")
for name, k, idx in (("liuyan",13,None),("s500",13,sidx),("telecom",8,None)):
    if name not in names: continue
    d = D["telecom" if name=="telecom" else "liuyan"]
    idx = np.arange(len(d["labels"])) if idx is None else idx
    labels = np.array(d["labels"])[idx]
    raw = [d["raw"][i] for i in idx]
    toks = tm.apply_stopwords(raw, set(D["sw_all"])|set(bp))
    df = tm.document_frequency(toks); n=len(toks)
    toks = [[t for t in doc if df[t] <= 0.5*n] for doc in toks]
    th = {}
    for kf in (k, 2*k):
        for r in range(10):
            m = tp.LDAModel(k=kf, alpha=0.1, eta=0.01, seed=r, min_df=tm._auto_min_df(n))
            ix=[i for i,t in enumerate(toks) if t]
            for i in ix: m.add_doc(toks[i])
            for it, steps in ((200,200),(500,300)):
                m.train(steps, workers=1)
                T=np.zeros((n,kf)); 
                for row, doc in zip(ix, m.docs): T[row]=doc.get_topic_dist()
                th[(kf,r,it)] = T
        print(name, "runs done", flush=True)
    pickle.dump((labels, th), open(f"/tmp/tq/theta_{name}.pkl","wb"))
    single = [nmi(labels, th[(k,r,500)].argmax(1)) for r in range(10)]
    print(name, "single LDA NMI", np.mean(single).round(3), np.std(single).round(3))
    for kf in (k, 2*k):
      for it in (200, 500):
        for runs in (5, 10):
          for geo in ("euclid", "hell"):
            res=[]
            for s in ((0,1) if runs==5 else (0,)):
                Z = np.hstack([th[(kf, r, it)] for r in range(s*5, s*5+runs)])
                if geo=="hell": Z=np.sqrt(Z)
                lab = KMeans(k, n_init=10, random_state=s).fit_predict(Z)
                res.append((nmi(labels, lab), ari(labels, lab)))
            res=np.array(res)
            print(f"{name} kfit={kf} it={it} runs={runs} {geo}: NMI {res[:,0].mean():.3f} ({np.round(res[:,0],3)}) ARI {res[:,1].mean():.3f}", flush=True)
