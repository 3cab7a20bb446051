"""`parse_message` alone, CPU time per message (`time.process_time`, so less moved by other work on the
machine than wall time): the 1,000 generated messages of `email_inbound` and the real-world-shaped corpus
(tests/fixtures/email/real_world). Prints the median of each round; compare two versions by running each
alternately with `PYTHONPATH` pointing at its tree.

    .venv/bin/python -m benchmarks.email_parse [--rounds 2]
"""

import argparse
import statistics
import time
from pathlib import Path

from benchmarks.email_inbound import corpus
from caredesk.channels.email.parsing import parse_message

REAL_WORLD = Path(__file__).parents[1] / "tests" / "fixtures" / "email" / "real_world"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    sets = {
        "inbound benchmark (1000)": [raw for _, raw in corpus(1000)],
        f"real-world corpus ({len(list(REAL_WORLD.glob('*.eml')))})":
            [path.read_bytes() for path in sorted(REAL_WORLD.glob("*.eml"))],
    }
    for name, messages in sets.items():
        medians = []
        for _ in range(options.rounds):
            times = []
            for raw in messages:
                start = time.process_time()
                parse_message(raw, max_attachment_bytes=10**7)
                times.append(time.process_time() - start)
            medians.append(statistics.median(times) * 1000)
        rounds = " ".join(f"{median:.2f}" for median in medians)
        print(f"{name}: median per round {rounds} ms, best {min(medians):.2f} ms")


if __name__ == "__main__":
    main()
