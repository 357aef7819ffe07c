"""Words people use for what the notes call something else.

A small curated list for conference notes, plus acronym/expansion pairs the notes define
themselves ("RBD, the RADOS Block Device", "Database as a Service (DBaaS)").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from bot.search.acronyms import acronym_pairs
from bot.search.tokenizer import tokenize

__all__ = ["GROUPS", "Thesaurus", "acronym_pairs", "curated"]

# Each line is one group of interchangeable words or phrases (a phrase in quotes).
GROUPS = """
recording video videos recorded youtube stream livestream
slides deck
vm vms "virtual machine" "virtual machines" instance instances guest guests
price cost costs pricing expensive cheap money
performance fast faster speed slow latency throughput
upgrade upgrades upgrading migrate migration
bug bugs defect defects issue issues
database databases db sql
k8s kubernetes
container containers docker
disk disks volume volumes
attendees attendance people audience crowd attended
monitoring monitor observability metrics telemetry
documentation docs doc
configuration config settings
deploy deployment deployments rollout release
clone cloning copy replica replicas fork
boot booting startup "spin up"
hardware server servers rack racks
"open source" oss
outage downtime failure failures
certificate certificates cert certs tls ssl
auth authentication login
permission permissions rbac authorization
vendor vendors "lock-in" lockin
hypervisor virtualization kvm xen openvz
scalability scale scaling scalable
contributor contributors contribute contributing
newcomer newcomers "new contributors" onboarding
roadmap plan plans future
hard difficult tricky complex complicated challenging painful
cli "command line" "command-line" client
gui dashboard ui "graphical interface" "user interface" interface
dbaas "database as a service"
paas "platform as a service"
iaas "infrastructure as a service"
saas "software as a service"
webserver webservers "web server" "web servers"
backend "back end" "back-end"
frontend "front end" "front-end"
opensource "open source"
multinode "multi-node" "multi node"
laptop laptops notebook desktop
avoid prevent stop
easy simple straightforward
""".strip().splitlines()

def _phrases(line: str) -> list[str]:
    return [a or b for a, b in re.findall(r'"([^"]+)"|(\S+)', line)]


class Thesaurus:
    """term -> alternatives, each alternative a tuple of terms (a phrase)."""

    def __init__(self) -> None:
        self.alternatives: dict[str, set[tuple[str, ...]]] = defaultdict(set)

    def add_group(self, phrases: Iterable[str]) -> None:
        terms = [tuple(tokenize(p)) for p in phrases]
        terms = [t for t in terms if t]
        for phrase in terms:
            if len(phrase) != 1:
                continue
            for other in terms:
                if other != phrase:
                    self.alternatives[phrase[0]].add(other)

    def add_pair(self, short: str, long: str) -> None:
        """An acronym and its expansion: each stands for the other."""
        short_terms, long_terms = tuple(tokenize(short)), tuple(tokenize(long))
        if len(short_terms) == 1 and long_terms and short_terms != long_terms:
            self.alternatives[short_terms[0]].add(long_terms)
            if len(long_terms) == 1:
                self.alternatives[long_terms[0]].add(short_terms)

    def expand(self, term: str) -> set[tuple[str, ...]]:
        return self.alternatives.get(term, set())


def curated() -> Thesaurus:
    thesaurus = Thesaurus()
    for line in GROUPS:
        thesaurus.add_group(_phrases(line))
    return thesaurus
