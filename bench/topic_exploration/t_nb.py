exec(open("/tmp/tq/quick.py").read())
bp=[l.strip() for l in open("/work/wt-topics/bench/gov_boilerplate.txt",encoding="utf-8") if l.strip() and not l.startswith("#")]
d=D["telecom"]; toks=tm.apply_stopwords(d["raw"], set(D["sw_all"])|set(bp)); labels=np.array(d["labels"])
m,f = tm.fit_consensus_topics(toks, 8, 0, runs=3, max_fit_docs=1200)
fi = np.zeros(len(toks),bool)
print("fit docs", f.info, "NMI all", nmi(labels, f.labels))
l2,w2 = m.infer(toks); print("nb agree with consensus labels", (l2==f.labels).mean(), w2.sum(1)[:3])
l3,w3 = m.infer(toks[:300], exact=True); print("exact agree", (l3==f.labels[:300]).mean(), w3.sum(1)[:3])
print(f.top_words[:3])
