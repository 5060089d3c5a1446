exec(open("/tmp/tq/quick.py").read())
import collections
bp=[l.strip() for l in open("/work/wt-topics/bench/gov_boilerplate.txt",encoding="utf-8") if l.strip() and not l.startswith("#")]
extra = set(D["sw_all"]) - set(D["sw_iso"]) - set(bp)
for name in ("telecom","liuyan"):
    d=D[name]; toks=tm.apply_stopwords(d["raw"], set(D["sw_iso"])|set(bp)); n=len(toks)
    df=tm.document_frequency(toks); labs=np.array(d["labels"]); prior=collections.Counter(labs)
    out=[]
    for w in extra:
        if df[w] < 0.02*n: continue
        cnt=collections.Counter(labs[i] for i,t in enumerate(toks) if w in t)
        lift=max(cnt[c]/df[w]/(prior[c]/n) for c in cnt)
        out.append((w, round(df[w]/n,3), round(lift,2)))
    print(name, len(extra), sorted(out, key=lambda x:-x[1])[:60])
