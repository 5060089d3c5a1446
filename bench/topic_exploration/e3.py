exec(open("/tmp/tq/quick.py").read())
import scipy.sparse as sp
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.preprocessing import normalize
from sklearn.decomposition import TruncatedSVD
sidx = pickle.load(open("/tmp/tq/sidx.pkl","rb"))
which = sys.argv[1]
def spectral(toks, k, seed, nn=15, dims=100):
    t0=time.time()
    X, vocab, _ = tm.doc_term_matrix(toks, min_df=tm._auto_min_df(len(toks)), max_df=0.5)
    T,_ = tm.tfidf(X)
    Z = normalize(TruncatedSVD(min(dims, T.shape[1]-1), random_state=seed).fit_transform(T))
    sc = SpectralClustering(k, affinity="nearest_neighbors", n_neighbors=nn, random_state=seed, assign_labels="cluster_qr", n_jobs=1).fit(Z)
    return tm.Fit(sc.labels_, None, [], time.time()-t0)
def lda_consensus(toks, k, seed, runs=5, **kw):
    t0=time.time()
    thetas=[tm.fit_tomotopy_lda(toks, k, seed*100+r, **kw).theta for r in range(runs)]
    Z = np.hstack(thetas)
    km = KMeans(k, n_init=10, random_state=seed).fit(Z)
    return tm.Fit(km.labels_, None, [], time.time()-t0)
for name, k, idx in (("liuyan",13,None),("s500",13,sidx),("telecom",8,None)):
    d = D["telecom" if name=="telecom" else "liuyan"]
    idx = np.arange(len(d["labels"])) if idx is None else idx
    labels = np.array(d["labels"])[idx]
    raw = [d["raw"][i] for i in idx]
    for tn, drop in (("iso", D["sw_iso"]), ("all+bp", set(D["sw_all"])|set(D["bp"]))):
        toks = tm.apply_stopwords(raw, drop)
        if which=="a":
            run(f"lsa-km {tn}", tm.fit_lsa_kmeans, name, toks, labels, k, seeds=(0,1,2))
            run(f"spectral {tn}", spectral, name, toks, labels, k, seeds=(0,1,2))
            run(f"tomotopy a0.1 {tn}", tm.fit_tomotopy_lda, name, toks, labels, k, seeds=(0,1,2))
            run(f"tomotopy a0.01 {tn}", tm.fit_tomotopy_lda, name, toks, labels, k, seeds=(0,1,2), alpha=0.01)
            run(f"tomotopy idf {tn}", tm.fit_tomotopy_lda, name, toks, labels, k, seeds=(0,1,2), tw="idf")
        else:
            run(f"lda-consensus5 {tn}", lda_consensus, name, toks, labels, k, seeds=(0,1,2))
            run(f"btm {tn}", tm.fit_btm, name, toks, labels, k, seeds=(0,))
