exec(open("/tmp/tq/quick.py").read())
sidx = pickle.load(open("/tmp/tq/sidx.pkl","rb"))
bp=[l.strip() for l in open("/work/wt-topics/bench/gov_boilerplate.txt",encoding="utf-8") if l.strip() and not l.startswith("#")]
names = sys.argv[1].split(","); variants = sys.argv[2].split(",")
for name, k, idx in (("liuyan",13,None),("s500",13,sidx),("telecom",8,None)):
    if name not in names: continue
    d = D["telecom" if name=="telecom" else "liuyan"]
    idx = np.arange(len(d["labels"])) if idx is None else idx
    labels = np.array(d["labels"])[idx]
    raw = [d["raw"][i] for i in idx]
    for v in variants:
        toks = tm.apply_stopwords(raw, set(D["sw_all"] if "all" in v else D["sw_iso"])|set(bp))
        if "edge" in v:
            L = tm.learn_corpus_stopwords(toks, max_df=1.0, min_df_edge=0.02, edge_share=0.5); print(name, v, sorted(L))
            toks = tm.apply_stopwords(toks, L)
        if "df5" in v:
            L = tm.learn_corpus_stopwords(toks, max_df=0.5, edge_share=2); print(name, v, sorted(L))
            toks = tm.apply_stopwords(toks, L)
        geo = "euclid" if "euc" in v else "hellinger"
        run(f"cons10 {v}", tm.fit_consensus, name, toks, labels, k, seeds=(0,1), runs=10, geometry=geo)
