"""Model prices frozen into text, for where genai-prices cannot run (xlwings Lite).

genai-prices imports httpx, which does not import under Pyodide, so the Lite
bundle (``xlmodel lite``) carries the prices genai-prices gave on the day the
bundle was generated, written by :func:`xlmodel.lite.freeze_prices`. This
module reads them back and answers the few questions :mod:`xlmodel.prices` asks
of genai-prices' snapshot (``providers``, each provider's ``models`` and
``find_provider_model``), so ``LLM_PRICE`` and ``LLM_MIX_PRICE`` run the same
code in both places.

The text has two parts. ``models``: one line per model, ``provider model_id
input output cached_input`` in USD per 1M tokens (``-``: no price, ``tiered``:
tiered prices). ``names``: one line per lookup, ``key k name name ...``: the
names that find model line ``k`` (counted from 0) when ``key`` is the provider
given, ``*`` for none. Only exact names are frozen (each model's id and the
names genai-prices matches exactly); a name genai-prices would match by pattern
(``gpt-4o-mini-2099``) is unknown here, with the usual close-name suggestions.

Pure Python, nothing runs at import time.
"""

from __future__ import annotations

__all__ = ["FrozenPrices"]

#: a frozen price line's fields, in order, and genai-prices' attribute for each
FIELDS = ("input_mtok", "output_mtok", "cache_read_mtok")


class _Tiered:
    """A tiered price: ``float()`` of it raises TypeError, as genai-prices' tiers do."""


class _Prices:
    def __init__(self, values):
        for name, v in zip(FIELDS, values):
            setattr(self, name, None if v == "-" else _Tiered() if v == "tiered" else float(v))


class _Model:
    def __init__(self, model_id: str, values):
        self.id = model_id
        self._prices = _Prices(values)

    def get_prices(self, _when=None) -> _Prices:
        return self._prices


class _Provider:
    def __init__(self, provider_id: str):
        self.id = provider_id
        self.models: list[_Model] = []


class FrozenPrices:
    """genai-prices' snapshot interface over frozen text: ``providers`` and ``find_provider_model``.

    >>> p = FrozenPrices("test", "openai gpt-4o-mini 0.15 0.6 -\\n", "* 0 gpt-4o-mini\\nopenai 0 gpt-4o-mini\\n")
    >>> p.find_provider_model("GPT-4o-mini", None, None, None)[1].get_prices().output_mtok
    0.6
    """

    def __init__(self, source: str, models: str, names: str):
        #: where the prices came from, e.g. ``genai-prices 0.2.3, prices of 2026-11-29``
        self.source = source
        providers: dict[str, _Provider] = {}
        table = []
        for line in models.strip().splitlines():
            provider_id, model_id, *values = line.split()
            model = _Model(model_id, values)
            providers.setdefault(provider_id, _Provider(provider_id)).models.append(model)
            table.append((providers[provider_id], model))
        self.providers = list(providers.values())
        self._lookup: dict[tuple[str | None, str], tuple[_Provider, _Model]] = {}
        for line in names.strip().splitlines():
            key, k, *found = line.split()
            asked_id = None if key == "*" else key  # "*": a name asked without a provider
            owner, model = table[int(k)]
            asked = providers.get(asked_id, owner) if asked_id else owner
            for name in found:
                self._lookup[(asked_id, name)] = (asked, model)

    def find_provider_model(self, model_ref: str, provider, provider_id: str | None, provider_api_url):
        """The (provider, model) for a name, as genai-prices answered when the prices were frozen."""
        try:
            return self._lookup[(provider_id, model_ref.lower())]
        except KeyError:
            raise LookupError(f"Unable to find model with {model_ref=!r} in the frozen prices") from None
