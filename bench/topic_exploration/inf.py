import tomotopy as tp, numpy as np, pickle, time, sys
sys.path.insert(0,"/work/wt-topics/bench"); import topic_methods as tm
D=pickle.load(open("/tmp/tq/tokens.pkl","rb"))
toks=tm.apply_stopwords(D["telecom"]["raw"], D["sw_iso"])
m=tp.LDAModel(k=8, seed=1, min_df=3); 
for t in toks[:2000]:
    if t: m.add_doc(t)
m.train(200, workers=1)
new=[t for t in toks[2000:] if t]
def inf(docs):
    ds=[m.make_doc(d) for d in docs]
    r,_=m.infer(ds, iterations=100, workers=1, together=False)
    return np.array([x for x in r]) if not isinstance(r[0], float) else None
t0=time.time(); a=inf(new); print("infer", len(new), time.time()-t0)
b=inf(new[::-1])[::-1]; c=inf(new[:50])
print("same reversed", np.abs(a-b).max(), "same subset", np.abs(a[:50]-c).max())
print(m.get_topic_words(0,5))
