exec(open("/tmp/tq/quick.py").read())
from jiesu.evaluation import real_sets as r
sys.path.insert(0,"/work/wt-topics/bench")
from topic_quality import DEFAULT, DF_RULE
lists = r.stopword_lists()
bp=[l.strip() for l in open("/work/wt-topics/bench/gov_boilerplate.txt",encoding="utf-8") if l.strip() and not l.startswith("#")]
d = D["liuyan"]; labels=np.array(d["labels"]); raw=d["raw"]
for combo in sys.argv[1:]:
    sw = set(D["sw_iso"]) | (set(lists["hit"]) if combo=="iso+hit" else set())
    if combo=="all": sw = set(D["sw_all"])
    toks = tm.apply_stopwords(raw, sw|set(bp))
    toks = tm.apply_stopwords(toks, tm.learn_corpus_stopwords(toks, **DF_RULE))
    run(f"cons {combo}", tm.fit_consensus, "liuyan", toks, labels, 13, seeds=(0,1), **DEFAULT)
