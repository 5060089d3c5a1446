exec(open("/tmp/tq/quick.py").read())
from jiesu.evaluation import real_sets as r
full = r.liuyan(); samp = r.liuyan_sample(500, seed=0)
pos = {row: i for i, row in enumerate(full["row"])}
sidx = np.array([pos[x] for x in samp["row"]])
pickle.dump(sidx, open("/tmp/tq/sidx.pkl","wb"))
sets = {}
for name, k in (("liuyan",13),("telecom",8)):
    sets[name] = (D[name], k, np.arange(len(D[name]["labels"])))
sets["s500"] = (D["liuyan"], 13, sidx)
for name,(d,k,idx) in sets.items():
    labels = np.array(d["labels"])[idx]
    plain = [d["plain"][i] for i in idx]
    run("plain gensim", tm.fit_gensim_lda, name, plain, labels, k, filter_extremes=False)
    run("plain gensim filtered", tm.fit_gensim_lda, name, plain, labels, k, no_below=5, no_above=0.5)
    raw = [d["raw"][i] for i in idx]
    iso = tm.apply_stopwords(raw, D["sw_iso"])
    isobp = tm.apply_stopwords(raw, set(D["sw_iso"])|set(D["bp"]))
    allbp = tm.apply_stopwords(raw, set(D["sw_all"])|set(D["bp"]))
    for tn, toks in (("iso", iso), ("iso+bp", isobp), ("all+bp", allbp)):
        run(f"gensim {tn}", tm.fit_gensim_lda, name, toks, labels, k)
        run(f"tomotopy {tn}", tm.fit_tomotopy_lda, name, toks, labels, k)
        run(f"nmf {tn}", tm.fit_nmf, name, toks, labels, k)
