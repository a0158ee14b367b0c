"""The anchor for `npm run bench -- lrnet`: LRNet's own calibrator, run as its README shows, on clips in order.

    python3 bench/lrnet-anchor.py LC.py VIDEO CSV OUT [VIDEO CSV OUT ...]

LC.py is LRNet's calibrator/LC.py (github frederickszk/LRNet), given by path: it is not part of lrnet-data.
Each clip: readin_csv, calibrator, np.savetxt(fmt='%1.5f'), exactly the README's example.
"""
import importlib.util
import sys

import numpy as np


def load(path):
    spec = importlib.util.spec_from_file_location("LC", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    if len(argv) < 4 or (len(argv) - 1) % 3 != 0:
        sys.exit("usage: lrnet-anchor.py LC.py VIDEO CSV OUT [VIDEO CSV OUT ...]")
    lc = load(argv[0])
    for i in range(1, len(argv), 3):
        video, csv, out = argv[i : i + 3]
        if not csv.endswith(".csv"):
            sys.exit(f"{csv}: readin_csv appends .csv, so the CSV must end in .csv")
        landmarks = lc.readin_csv(csv[: -len(".csv")])
        results = lc.calibrator(video, landmarks)
        np.savetxt(out, results, fmt="%1.5f")


if __name__ == "__main__":
    main(sys.argv[1:])
