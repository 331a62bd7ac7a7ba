"""The price Excel functions: a model's price and a routing mix's, from genai-prices' bundled data."""

from __future__ import annotations

from ..errors import XlmodelError
from ..prices import mix_price, price
from .cells import call, excel, fail, grid, is_empty, no_error, number, single, to_excel

__all__ = ["LLM_PRICE", "LLM_MIX_PRICE"]


#: what each LLM_PRICE argument must be, for its message
_PRICE_ARGS = {
    "model": "a model name (text)",
    "kind": "one of input, output, cached_input",
    "provider": "a provider id (text)",
    "fx": "a number above 0 (model currency per USD)",
}


def _price_arg(name, cell, default):
    """One LLM_PRICE cell -> text; an empty optional cell takes its default."""
    no_error(name, cell)
    empty = is_empty(cell)
    if empty and default is not None:
        return default
    if name == "fx":
        return number(name, cell, default)
    if empty or not isinstance(cell, str):
        raise XlmodelError(f"{name} must be {_PRICE_ARGS[name]}, got {cell!r}")
    return cell.strip()


@excel()
def LLM_PRICE(model, kind=None, provider=None, fx=None):
    """Price per 1M tokens of a model: USD from the genai-prices package's bundled data (offline), times fx."""

    def one(model, kind, provider, fx):
        return price(model, kind.lower(), provider.lower() or None, fx)

    return call(
        one,
        dict(model=model, kind=kind, provider=provider, fx=fx),
        {"kind": "input", "provider": "", "fx": 1.0},
        convert=_price_arg,
        vectorised=False,
    )


@excel()
def LLM_MIX_PRICE(models, shares, kind=None, fx=None):
    """Price per 1M tokens of a routing mix of models: fx * SUM(share * USD price), genai-prices' bundled data."""
    try:
        names = [c for row in grid("models", models) for c in row]
        weights = [c for row in grid("shares", shares) for c in row]
        if len(names) != len(weights):
            raise XlmodelError(
                f"shares must be as many cells as models ({len(names)} models, {len(weights)} shares)"
            )
        pairs = []
        for i, (m, w) in enumerate(zip(names, weights), start=1):
            no_error(f"models (cell {i})", m)
            if m is None or (isinstance(m, str) and not m.strip()):
                if not (w is None or (isinstance(w, str) and not w.strip())):
                    raise XlmodelError(
                        f"shares (cell {i}) is {w!r:.40} beside an empty model cell: name the model "
                        "or clear the share"
                    )
                continue  # an empty row of the mix
            if not isinstance(m, str):
                raise XlmodelError(f"models must be model names (text), got {m!r}")
            pairs.append((m, w))
        mix_models = [m for m, _ in pairs]
        mix_shares = [number(f"shares ({m})", w, None) for m, w in pairs]
        k = _price_arg("kind", single("kind", kind, None), "input").lower()
        f = _price_arg("fx", single("fx", fx, None), 1.0)
        return to_excel(mix_price(mix_models, mix_shares, k, f))
    except Exception as e:
        return fail(e)
