"""Type-constrained decoding: the legal next tokens of a partial program, and tracing programs.

A partial program is a node of the type-directed top-down expansion of
:mod:`kairos.domains.programs.enumerate` (holes on a stack, the leftmost filled
next). Its legal tokens are the productions whose result type unifies with the
leftmost hole's type: exactly the entries of the enumerator's production table
for that hole. Decoding only ever picks among them, so every finished program
is well typed, and the model's probability of a program is the product of its
softmaxes restricted to the legal tokens.
"""

from __future__ import annotations

import numpy as np

from kairos.domains.programs.enumerate import Enumerator, Node, child, root
from kairos.domains.programs.fit import _skip_lambdas, _tokens
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.program import Expr
from kairos.domains.programs.sexpr import show
from kairos.errors import ValidationError
from kairos.policy.transformer_prior.vocab import Vocab


class Decoder:
    """Legal tokens and transitions of partial programs, for one DSL and vocabulary.

    The production tables come from a uniform :class:`Grammar` (only their
    type-correctness is used here; the model supplies the probabilities) and
    are cached across tasks, as the enumerator caches them.
    """

    def __init__(self, vocab: Vocab, grammar: Grammar | None = None):
        self.vocab = vocab
        self.grammar = grammar or Grammar()
        self.enumerator = Enumerator(self.grammar)
        self._legal: dict[int, tuple] = {}

    def root(self, request) -> Node:
        """The empty program of type ``request`` (its outer lambdas forced)."""
        return root(request, self.grammar)

    def legal(self, node: Node) -> tuple[np.ndarray, tuple, tuple]:
        """``(ids, entries, names)`` for the leftmost hole of an unfinished node.

        ``ids[j]`` is the token id of table entry ``entries[j]``; entries whose
        production is outside the vocabulary are dropped.
        """
        entries, names = self.enumerator.table(node)
        got = self._legal.get(id(entries))
        if got is None or got[2] is not entries:
            keep = [(self.vocab.production_id(e[1]), e) for e in entries]
            keep = [(i, e) for i, e in keep if i is not None]
            ids = np.array([i for i, _ in keep], dtype=np.int64)
            got = (ids, tuple(e for _, e in keep), entries)
            self._legal[id(entries)] = got
        return got[0], got[1], names

    def advance(self, node: Node, entry, names) -> Node:
        """The node after choosing table ``entry``."""
        return child(self.grammar, node, entry, names)

    def trace(self, expr: Expr, request) -> tuple[list[int], list[np.ndarray]]:
        """The token ids of ``expr`` and the legal ids at each step (for training).

        Raises
        ------
        ValidationError
            ``expr`` is not an eta-long, well-typed program of type ``request``
            whose productions are all in the vocabulary.
        """
        tokens = _tokens(expr, [])
        node = self.root(request)
        pos = _skip_lambdas(node, tokens, 0, expr)
        ids, legal = [], []
        while node.holes is not None:
            if pos >= len(tokens):
                raise ValidationError("program", f"{show(expr)} is incomplete for type {request}")
            want = tokens[pos]
            allowed, entries, names = self.legal(node)
            match = [j for j, e in enumerate(entries) if e[1][:3] == want]
            if not match:
                raise ValidationError(
                    "program",
                    f"{show(expr)}: {want[1]} cannot fill a hole here (type or vocabulary)",
                )
            ids.append(int(allowed[match[0]]))
            legal.append(allowed)
            node = self.advance(node, entries[match[0]], names)
            pos = _skip_lambdas(node, tokens, pos + 1, expr)
        if pos != len(tokens):
            raise ValidationError("program", f"{show(expr)} has more than a {request} needs")
        return ids, legal
