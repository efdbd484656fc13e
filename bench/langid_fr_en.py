"""Build comptoir/nlp/langid/fr-en.bin: py3langid's model (BSD-3), restricted to French and
English, in a form plain Python reads in a few megabytes instead of py3langid's ~90 MB.

py3langid walks a byte automaton whose states are the strings it tracks (up to 6 bytes); the
state after each byte is the longest tracked suffix of the text so far, and the state names the
feature that counts. For two languages only the difference of the two languages' weights matters
(the softmax of two scores depends on their difference), so the file keeps, per state, its
string and feature, and per feature one float. ``--check`` compares the result with py3langid on
texts (demo data, and ../shared/data's French/English texts when present) and prints agreement.

Run: .venv/bin/python bench/langid_fr_en.py [--check]
"""

from __future__ import annotations

import argparse
import collections
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "comptoir" / "nlp" / "langid" / "fr-en.bin"


def build() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(["fr", "en"])
    fr, en = ident.nb_classes.index("fr"), ident.nb_classes.index("en")
    nm, rowbase, out = ident.tk_nextmove, ident._rowbase, ident.tk_output
    strings = {0: b""}
    queue = collections.deque([0])
    while queue:  # breadth first: a state is first reached by its own string
        state = queue.popleft()
        base, prefix = rowbase[state], strings[state]
        for byte in range(256):
            nxt = nm[base + byte]
            if nxt not in strings:
                strings[nxt] = prefix + bytes([byte])
                queue.append(nxt)
    diff = (ident.nb_ptc[:, fr].astype("float32") - ident.nb_ptc[:, en].astype("float32")).tolist()
    prior = float(ident.nb_pc[fr]) - float(ident.nb_pc[en])
    body = bytearray(struct.pack("<dII", prior, len(strings) - 1, len(diff)))
    for state, text in sorted(strings.items(), key=lambda item: item[1]):
        if state == 0:
            continue
        body += struct.pack("<Bi", len(text), int(out[state])) + text
    body += struct.pack(f"<{len(diff)}f", *diff)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(b"CPTLID1\n" + zlib.compress(bytes(body), 9))
    print(
        f"{OUT.relative_to(ROOT)}: {len(strings) - 1} states, {len(diff)} features, {OUT.stat().st_size:,} bytes"
    )


def _texts() -> list[str]:

    texts: list[str] = []
    data = ROOT.parent / "shared" / "data" / "sentiment-tweets-fr-en"
    for path in sorted(data.rglob("*.csv")) if data.exists() else []:
        import csv

        with path.open(encoding="utf-8") as fh:
            for row in csv.reader(fh):
                texts.extend(cell for cell in row if len(cell.split()) >= 1)
    return texts


def check() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    sys.path.insert(0, str(ROOT))
    from comptoir.nlp.language import _compact

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(["fr", "en"])
    texts = _texts()
    same, worst = 0, 0.0
    for text in texts:
        ref_lang, ref_p = ident.classify(text)
        lang, p = _compact().classify(text)
        same += lang == ref_lang
        worst = max(worst, abs(p - ref_p) if lang == ref_lang else 1.0)
    print(f"{same}/{len(texts)} same answers as py3langid; largest probability gap {worst:.4f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if not args.check:
        build()
    else:
        check()
