import sys, pickle, time, numpy as np
sys.path.insert(0, "/work/wt-topics/bench")
import topic_methods as tm
from sklearn.metrics import normalized_mutual_info_score as nmi, adjusted_rand_score as ari
D = pickle.load(open("/tmp/tq/tokens.pkl", "rb"))
def sample(name, n, seed):
    rng = np.random.RandomState(seed); idx = rng.choice(len(D[name]["labels"]), n, replace=False); return idx
def run(label, fn, name, toks, labels, k, seeds=(0,), **kw):
    r=[]
    for s in seeds:
        f = fn(toks, k, s, **kw); r.append((nmi(labels, f.labels), ari(labels, f.labels), f.seconds))
    r=np.array(r); print(f"{label:40s} {name:8s} NMI {r[:,0].mean():.3f}±{r[:,0].std():.3f} ARI {r[:,1].mean():.3f} t {r[:,2].mean():.1f}s", flush=True)
    return f
