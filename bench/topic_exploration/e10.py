exec(open("/tmp/tq/quick.py").read())
from jiesu.evaluation import real_sets as r
sys.path.insert(0,"/work/wt-topics/bench")
from topic_quality import DEFAULT, DF_RULE
lists = r.stopword_lists()
sidx = pickle.load(open("/tmp/tq/sidx.pkl","rb"))
bp=[l.strip() for l in open("/work/wt-topics/bench/gov_boilerplate.txt",encoding="utf-8") if l.strip() and not l.startswith("#")]
for name, k, idx in (("s500",13,sidx),("telecom",8,None)):
    d = D["telecom" if name=="telecom" else "liuyan"]
    idx = np.arange(len(d["labels"])) if idx is None else idx
    labels = np.array(d["labels"])[idx]
    raw = [d["raw"][i] for i in idx]
    for combo in ("iso", "iso+cn", "iso+hit", "iso+scu", "iso+baidu", "all"):
        sw = set(D["sw_iso"])
        for part in combo.split("+")[1:]: sw |= set(lists[part])
        if combo=="all": sw = set(D["sw_all"])
        toks = tm.apply_stopwords(raw, sw|set(bp))
        toks = tm.apply_stopwords(toks, tm.learn_corpus_stopwords(toks, **DF_RULE))
        run(f"cons {combo}", tm.fit_consensus, name, toks, labels, k, seeds=(0,1), **DEFAULT)
