import sys, numpy as np
sys.path.insert(0, "/work/wt-topics/bench")
import topic_quality as q, topic_methods as tm
from sklearn.metrics import normalized_mutual_info_score as nmi, adjusted_rand_score as ari
q.DATA_FILTER[:] = sys.argv[1].split(",")
data = q.prepare(False)
for name, d in data.items():
    for runs in map(int, sys.argv[2].split(",")):
        r = []
        for seed in q.SEEDS:
            f = tm.fit_consensus(d["ours"], d["k"], seed, **dict(q.DEFAULT, runs=runs))
            r.append((nmi(d["labels"], f.labels), ari(d["labels"], f.labels)))
        r = np.array(r)
        print(f"{name} runs={runs}: NMI {r[:,0].mean():.3f} ± {r[:,0].std(ddof=1):.3f} ARI {r[:,1].mean():.3f} ± {r[:,1].std(ddof=1):.3f} per seed {np.round(r[:,0],3)}", flush=True)
