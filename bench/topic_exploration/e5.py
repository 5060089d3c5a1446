exec(open("/tmp/tq/quick.py").read())
sidx = pickle.load(open("/tmp/tq/sidx.pkl","rb"))
bp=[l.strip() for l in open("/work/wt-topics/bench/gov_boilerplate.txt",encoding="utf-8") if l.strip() and not l.startswith("#")]
print("bp in iso:", [w for w in bp if w in D["sw_iso"]], "in all:", [w for w in bp if w in D["sw_all"]])
variant = sys.argv[1]
for name, k, idx in (("liuyan",13,None),("s500",13,sidx),("telecom",8,None)):
    d = D["telecom" if name=="telecom" else "liuyan"]
    idx = np.arange(len(d["labels"])) if idx is None else idx
    labels = np.array(d["labels"])[idx]
    raw = [d["raw"][i] for i in idx]
    base = set(D["sw_all"]) if "all" in variant else set(D["sw_iso"])
    if "bp" in variant: base |= set(bp)
    toks = tm.apply_stopwords(raw, base)
    if "df" in variant:
        learned = tm.learn_corpus_stopwords(toks, max_df=0.3 if "df3" in variant else 1.0, min_df_edge=0.02, edge_share=0.5 if "edge" in variant else 2)
        print(name, variant, "learned", sorted(learned))
        toks = tm.apply_stopwords(toks, learned)
    run(f"tomotopy {variant}", tm.fit_tomotopy_lda, name, toks, labels, k, seeds=(0,1,2))
    run(f"nmf {variant}", tm.fit_nmf, name, toks, labels, k, seeds=(0,))
    run(f"lsa-km {variant}", tm.fit_lsa_kmeans, name, toks, labels, k, seeds=(0,1,2))
    run(f"consensus {variant}", tm.fit_lda_consensus, name, toks, labels, k, seeds=(0,1))
