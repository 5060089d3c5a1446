import sys, pickle, time, collections
sys.path.insert(0, "/work/wt-topics/bench")
from jiesu.evaluation import real_sets as r
import topic_methods as tm
bp = [l.strip() for l in open("/work/wt-topics/bench/gov_boilerplate.txt", encoding="utf-8") if l.strip() and not l.startswith("#")]
sw_iso = tm.standard_stopwords()
sw_all = tm.standard_stopwords(r.stopword_lists().values())
sets = {"liuyan": r.liuyan(), "telecom": r.telecom()}
out = {}
for name, df in sets.items():
    texts = df.text.tolist()
    t0 = time.time()
    raw = tm.RealTokenizer((), ()).tokens_many(texts)   # no stopwords at all (for ablations)
    t1 = time.time()
    plain = tm.plain_tokens(texts)
    t2 = time.time()
    out[name] = dict(labels=df.label.tolist(), raw=raw, plain=plain)
    print(name, "real tok", round(t1-t0,1), "plain tok", round(t2-t1,1))
out["bp"] = bp; out["sw_iso"] = sw_iso; out["sw_all"] = sw_all
pickle.dump(out, open("/tmp/tq/tokens.pkl", "wb"))
for name in []:
    toks = tm.apply_stopwords(out[name]["raw"], set(sw_iso) | set(bp))
    df = tm.document_frequency(toks)
    n = len(toks)
    print(name, [(w, round(c/n,3)) for w, c in df.most_common(40)])
    print("learned", sorted(tm.learn_corpus_stopwords(toks)))
