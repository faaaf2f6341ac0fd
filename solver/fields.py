"""Finite fields GF(q), q a prime power: the tables behind a roundtable's transversal designs."""

from itertools import product

LARGEST_FIELD = 256  # larger numbers of tables get no finite-field design


def field(q: int) -> tuple[list[list[int]], list[list[int]]] | None:
    """Addition and multiplication tables of GF(q), or None when q is no prime power."""
    prime = next((p for p in range(2, q + 1) if q % p == 0), None)
    if prime is None or q > LARGEST_FIELD:
        return None
    degree, rest = 0, q
    while rest % prime == 0:
        rest, degree = rest // prime, degree + 1
    if rest != 1:
        return None
    modulus = irreducible(prime, degree)
    elements = [[(e // prime**k) % prime for k in range(degree)] for e in range(q)]
    add = [
        [value([x + y for x, y in zip(a, b, strict=True)], prime) for b in elements]
        for a in elements
    ]
    mul = [[value(multiply(a, b, modulus, prime), prime) for b in elements] for a in elements]
    return add, mul


def value(coefficients: list[int], prime: int) -> int:
    """The field element with these coefficients (lowest power first), reduced mod prime."""
    return sum((c % prime) * prime**k for k, c in enumerate(coefficients))


def multiply(a: list[int], b: list[int], modulus: list[int], prime: int) -> list[int]:
    """Product of two polynomials modulo a monic modulus (coefficients lowest power first)."""
    full = [0] * (len(a) + len(b))
    for (i, x), (j, y) in product(enumerate(a), enumerate(b)):
        full[i + j] += x * y
    return remainder(full, modulus, prime)


def remainder(poly: list[int], modulus: list[int], prime: int) -> list[int]:
    """poly mod a monic modulus, over GF(prime)."""
    rest = [c % prime for c in poly]
    degree = len(modulus) - 1
    for k in range(len(rest) - 1, degree - 1, -1):
        factor = rest[k]
        for i, m in enumerate(modulus):
            rest[k - degree + i] = (rest[k - degree + i] - factor * m) % prime
    return (rest + [0] * degree)[:degree]


def irreducible(prime: int, degree: int) -> list[int]:
    """The first monic polynomial of this degree that no monic one of lower degree divides."""
    for low in product(range(prime), repeat=degree):
        candidate = [*low, 1]
        if not any(
            not any(remainder(candidate, [*f, 1], prime))
            for d in range(1, degree // 2 + 1)
            for f in product(range(prime), repeat=d)
        ):
            return candidate
    raise ValueError(f"no irreducible polynomial of degree {degree} over GF({prime})")
