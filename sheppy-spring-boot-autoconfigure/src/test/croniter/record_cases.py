"""Record croniter's fire times for CronScheduleCroniterCasesTests.

Run with croniter installed (the table in src/test/resources was recorded with croniter 6.2.4):

    python record_cases.py > ../resources/io/sheppy/spring/core/croniter-cases.tsv

Each line is: expression, start (epoch seconds, UTC), then croniter's next five fire times in epoch seconds
(croniter(expression, start).get_next(float), default options), or ERR when croniter refuses the expression.
The expressions are hand-picked edge cases followed by random ones from fixed seeds.
"""
import random
from datetime import datetime, timezone
from importlib.metadata import version

from croniter import croniter

EDGE_CASES = """59/10 * * * *
0 23/5 * * *
0 0 31/2 * *
0 0 1 12/2 *
0 0 * * 6/2
0 0 * * 7/2
0 0 * * sat/2
0 0 1 dec/3 *
0 0 29 2 *
0 0 29 2 1
0 0 * * 7
0 0 * * 0,7
0 0 * * 7-1
0 0 * * 1-7/2
0 0 1 JAN-MAR *
*/99 * * * *
0 0 1-31/40 * *
0-59/60 * * * *
0 0 * * 5-5
0 0 13 * 5-5
0 0 1-31 * 5
0 0 */1 * */1
0 0 13 * */1
0 0 13 * 0-6
0 0 13 * 0-7
0 0 13 * 7-0
0 0 ? * ?
0 0 13 * ?
0 0 ? * 5
0 0 31 4,6 *
0 0 30,31 2 *
0 0 30,31 2 5
0 0 29 2 */2
* * * * * 0-59/7
* * * * * 30/7
* * * * 0 59-1/7
0 0 1 jan-jan/3 *
0 0 1 dec-feb/2 *
0 0 * * sun-sat/3
0 0 * * sat-sun
0 12-12/5 * * *
0 0 31 * *
0 0 31 1-12/2 *
1,2,3,4,5 1 1 1 *
0 0 * jan,mar,may *
* * * * 1-5
0 9-17 * * mon-fri
0 0 1 * mon
0 0 1,15 * 3
0 0 * * 0 0
0 0 1 0 * 0
0 0 1 1 * 60
0 0 1 1 * 59
00 09 01 01 *
0 0 1 1 1-1
*/5,*/7 * * * *
0 0 * * 6-1/3
45 23 31 12 *
0 0 28-31 2 *
@yearly
@annually
@monthly
@weekly
@daily
@midnight
@hourly""".split("\n")
EDGE_STARTS = [946684800, 1735689600, 4067884800, 1798794000.5]

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def value(rng, low, high, names=None):
    v = rng.randint(low, high)
    if names and v - low < len(names) and rng.random() < 0.3:
        name = names[v - low] if low == 1 else names[v]
        return name.upper() if rng.random() < 0.2 else name
    return str(v)


def element(rng, low, high, names=None):
    r = rng.random()
    if r < 0.35:
        return value(rng, low, high, names)
    if r < 0.55:
        return f"{value(rng, low, high, names)}-{value(rng, low, high, names)}"
    if r < 0.75:
        return f"{value(rng, low, high, names)}-{value(rng, low, high, names)}/{rng.randint(1, 12)}"
    if r < 0.88:
        return f"{value(rng, low, high, names)}/{rng.randint(1, 12)}"
    return f"*/{rng.randint(1, 12)}"


def field(rng, low, high, names=None, star=0.3, question=False):
    r = rng.random()
    if r < star:
        return "*"
    if question and r < star + 0.05:
        return "?"
    return ",".join(element(rng, low, high, names) for _ in range(rng.choice([1, 1, 1, 2, 3])))


def random_expression(rng):
    seconds = rng.random() < 0.2
    fields = [
        field(rng, 0, 59, star=0.1),
        field(rng, 0, 23, star=0.2),
        field(rng, 1, 31, star=0.4, question=True),
        field(rng, 1, 12, MONTHS, star=0.5),
        # croniter reads 7 as Sunday only in 5-field expressions
        field(rng, 0, 6 if seconds else 7, DAYS, star=0.5, question=True),
    ]
    if seconds:
        fields.append(field(rng, 0, 59, star=0.3))
    return " ".join(fields)


def record(expression, start):
    try:
        iterator = croniter(expression, datetime.fromtimestamp(start, timezone.utc))
        times = [str(int(iterator.get_next(float))) for _ in range(5)]
        return f"{expression}\t{start!r}\t{' '.join(times)}"
    except Exception as ex:  # noqa: BLE001 - any refusal is recorded
        return f"{expression}\t{start!r}\tERR {type(ex).__name__}"


def main():
    print(f"# recorded with croniter {version('croniter')} by src/test/croniter/record_cases.py")
    print("# expression\tstart\tnext five fire times (or ERR)")
    for expression in EDGE_CASES:
        for start in EDGE_STARTS:
            print(record(expression, start))
    rng = random.Random(2027)
    for _ in range(600):
        start = rng.randint(946684800, 4102444800) + rng.choice([0, 0, 0.25])
        print(record(random_expression(rng), start))


if __name__ == "__main__":
    main()
