"""Print the most frequent English words of the pocketsphinx wheel's LM (for en_common.py).

Run: ``/work/venv/bin/python tools/common_words.py [N]``. The words are ranked
by unigram probability in ``en-us.lm.bin`` and kept only if the wheel's
dictionary has them; the output is pasted into
``voicecoach/core/phrases/en_common.py`` (generated once, committed as data).
"""

from __future__ import annotations

import os
import sys
import textwrap


def main() -> int:
    import pocketsphinx as ps

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    path = ps.get_model_path("en-us")
    lm = ps.NGramModel(ps.Config(), ps.LogMath(), os.path.join(path, "en-us.lm.bin"))
    with open(os.path.join(path, "cmudict-en-us.dict")) as f:
        words = {line.split()[0] for line in f if "(" not in line.split()[0]}
    ranked = sorted(words, key=lambda w: (-lm.prob([w]), w))[:n]
    print(textwrap.fill(" ".join(ranked), 92))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
