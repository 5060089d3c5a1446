exec(open("/tmp/tq/quick.py").read())
import scipy.sparse as sp
from scipy.special import logsumexp
sidx = pickle.load(open("/tmp/tq/sidx.pkl","rb"))
def mixture_em(X, k, seed, iters=100, beta=0.01, alpha=1.0, init="kmeans", restarts=1, binary=False):
    X = X.copy()
    if binary: X.data[:] = 1
    n, V = X.shape
    best=None
    rng = np.random.RandomState(seed)
    for r in range(restarts):
        if init == "random":
            R = rng.dirichlet(np.ones(k), size=n)
        else:  # kmeans++ style on tfidf rows → hard init
            from sklearn.cluster import KMeans
            from sklearn.preprocessing import normalize
            Xn = normalize(X.astype(float))
            km = KMeans(k, n_init=1, random_state=rng.randint(1<<30), max_iter=20).fit(Xn)
            R = np.eye(k)[km.labels_]
        prev=-np.inf
        for it in range(iters):
            nkw = (X.T @ R).T + beta   # k x V
            phi = np.log(nkw) - np.log(nkw.sum(1, keepdims=True))
            pi = np.log(R.sum(0) + alpha) ; pi -= logsumexp(pi)
            L = X @ phi.T + pi
            ll = logsumexp(L, axis=1)
            R = np.exp(L - ll[:,None])
            tot = ll.sum()
            if tot - prev < 1e-6*abs(tot): break
            prev = tot
        if best is None or tot > best[0]: best=(tot, R)
    return best[1], best[0]
for name, k, idx in (("liuyan",13,None),("s500",13,sidx),("telecom",8,None)):
    d = D["telecom" if name=="telecom" else "liuyan"]
    idx = np.arange(len(d["labels"])) if idx is None else idx
    labels = np.array(d["labels"])[idx]
    raw = [d["raw"][i] for i in idx]
    for tn, drop in (("iso", D["sw_iso"]), ("all+bp", set(D["sw_all"])|set(D["bp"]))):
        toks = tm.apply_stopwords(raw, drop)
        X, vocab, _ = tm.doc_term_matrix(toks, min_df=tm._auto_min_df(len(toks)), max_df=0.5)
        X = sp.csr_matrix(X)
        for binary in (False, True):
          for init in ("kmeans","random"):
            res=[]
            for s in range(3):
                t0=time.time(); R, ll = mixture_em(X, k, s, init=init, binary=binary, restarts=1)
                lab = R.argmax(1); res.append((nmi(labels, lab), ari(labels, lab), time.time()-t0, ll))
            res=np.array(res)
            print(f"mixEM {tn} bin={binary} {init} {name}: NMI {res[:,0].mean():.3f}±{res[:,0].std():.3f} ARI {res[:,1].mean():.3f} t {res[:,2].mean():.1f}  nmi per seed {np.round(res[:,0],3)} ll {np.round(res[:,3]/1e3,1)}", flush=True)
