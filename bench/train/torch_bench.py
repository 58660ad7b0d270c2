"""PyTorch CPU reference for `npm run bench:train` (bench/train/bench-train.ts runs it; never a runtime
dependency of treecot). Same llama architecture as src/train (RMSNorm eps 1e-5, RoPE base 10000, SwiGLU,
no biases, untied head), same batches (token ids and lengths from the TS side), sequences padded to the
longest in the batch. Prints one JSON object on stdout.

Input: path of a JSON file {threads, steps, warmup, configs: [{name, layers, d, heads, ffn, vocab}],
batches: {sft: {ids: [[...]], promptLens: [...]}, dpo: {chosen: [[...]], rejected: [[...]], promptLens: [...]}}}
"""
import json, math, resource, sys, time

import torch
import torch.nn.functional as F


def blas_libraries():
    """The BLAS/LAPACK shared objects this process really loaded."""
    libs = set()
    for line in open("/proc/self/maps"):
        path = line.split()[-1]
        if "blas" in path or "lapack" in path:
            libs.add(path)
    return sorted(libs)


def matmul_gflops():
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    a @ b
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 1.0:
        a @ b
        reps += 1
    return 2 * 1024 ** 3 * reps / (time.perf_counter() - t0) / 1e9


class Block(torch.nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.n1 = torch.nn.Parameter(torch.ones(d))
        self.n2 = torch.nn.Parameter(torch.ones(d))
        self.wq = torch.nn.Linear(d, d, bias=False)
        self.wk = torch.nn.Linear(d, d, bias=False)
        self.wv = torch.nn.Linear(d, d, bias=False)
        self.wo = torch.nn.Linear(d, d, bias=False)
        self.w1 = torch.nn.Linear(d, ffn, bias=False)
        self.w3 = torch.nn.Linear(d, ffn, bias=False)
        self.w2 = torch.nn.Linear(ffn, d, bias=False)

    @staticmethod
    def rms(x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w

    def forward(self, x, cos, sin):
        B, T, D = x.shape
        hd = D // self.heads
        h = self.rms(x, self.n1)
        q = self.wq(h).view(B, T, self.heads, hd).transpose(1, 2)  # [B, H, T, hd]
        k = self.wk(h).view(B, T, self.heads, hd).transpose(1, 2)
        v = self.wv(h).view(B, T, self.heads, hd).transpose(1, 2)

        def rope(t):
            t1, t2 = t[..., : hd // 2], t[..., hd // 2:]
            return t * cos + torch.cat([-t2, t1], -1) * sin

        q, k = rope(q), rope(k)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        mask = torch.full((T, T), float("-inf")).triu(1)
        att = torch.softmax(att + mask, -1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.wo(y)
        h = self.rms(x, self.n2)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))


class Llama(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.emb = torch.nn.Embedding(c["vocab"], c["d"])
        self.blocks = torch.nn.ModuleList(Block(c["d"], c["heads"], c["ffn"]) for _ in range(c["layers"]))
        self.nf = torch.nn.Parameter(torch.ones(c["d"]))
        self.head = torch.nn.Linear(c["d"], c["vocab"], bias=False)

    def forward(self, ids):
        B, T = ids.shape
        hd = self.c["d"] // self.c["heads"]
        inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
        ang = torch.outer(torch.arange(T).float(), inv)
        ang = torch.cat([ang, ang], -1)
        cos, sin = ang.cos(), ang.sin()
        x = self.emb(ids)
        for b in self.blocks:
            x = b(x, cos, sin)
        return self.head(Block.rms(x, self.nf))  # [B, T, V]


def pad(rows):
    T = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), T, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
    return ids


def response_mask(rows, prompt_lens):
    """[B, T-1] mask over next-token targets that are response tokens."""
    T = max(len(r) for r in rows)
    m = torch.zeros(len(rows), T - 1)
    for i, (r, p) in enumerate(zip(rows, prompt_lens)):
        m[i, p - 1: len(r) - 1] = 1
    return m


def seq_logp(model, ids, mask):
    logits = model(ids)[:, :-1]
    lp = torch.log_softmax(logits, -1).gather(-1, ids[:, 1:, None])[..., 0]
    return (lp * mask).sum(-1), lp


def run(c, batches, steps, warmup):
    torch.manual_seed(0)
    model = Llama(c)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=0.1)
    out = {"params": sum(p.numel() for p in model.parameters())}
    sft = batches["sft"]
    ids, mask = pad(sft["ids"]), response_mask(sft["ids"], sft["promptLens"])
    real = sum(len(r) for r in sft["ids"])

    def sft_step():
        _, lp = seq_logp(model, ids, mask)
        loss = -(lp * mask).sum() / mask.sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    dpo = batches["dpo"]
    both = dpo["chosen"] + dpo["rejected"]
    n = len(dpo["chosen"])
    dids = pad(both)
    dmask = response_mask(both, dpo["promptLens"] + dpo["promptLens"])
    dreal = sum(len(r) for r in both)
    ref = torch.zeros(2 * n)  # reference log-probs are cached on disk in treecot, so not part of a step

    def dpo_step():
        lp, _ = seq_logp(model, dids, dmask)
        margin = 0.1 * ((lp[:n] - ref[:n]) - (lp[n:] - ref[n:]))
        loss = -F.logsigmoid(margin).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for name, step, tokens in (("sft", sft_step, real), ("dpo", dpo_step, dreal)):
        for _ in range(warmup):
            step()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        dt = time.perf_counter() - t0
        out[name] = {"realTokensPerSecond": tokens * steps / dt, "secondsPerStep": dt / steps, "realTokensPerStep": tokens}
    return out


def main():
    spec = json.load(open(sys.argv[1]))
    torch.set_num_threads(spec["threads"])
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "matmulGflops": matmul_gflops(), "blasLibraries": blas_libraries(), "configs": {}}
    if spec.get("matmulOnly"):
        print(json.dumps(result))
        return
    for c in spec["configs"]:
        result["configs"][c["name"]] = run(c, spec["batches"], spec["steps"], spec["warmup"])
    result["peakRssMb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
