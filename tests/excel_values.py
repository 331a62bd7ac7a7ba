"""Hypothesis strategies for what Excel hands a worksheet function through xlwings."""

from hypothesis import strategies as st

scalar_cell = st.one_of(
    st.none(),
    st.just(""),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-2, 2),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.text(max_size=8),
    st.sampled_from(["never", "#N/A", "=1+1", "5%", "0.05", "gpt-4o-mini", "output"]),
)


@st.composite
def excel_value(draw):
    """A single cell, a 1-D list (xlwings Lite's 1-D range), a 2-D range, or a ragged one."""
    kind = draw(st.sampled_from(["cell", "cell", "cell", "col", "row", "grid", "ragged", "empty"]))
    if kind == "cell":
        return draw(scalar_cell)
    if kind == "empty":
        return draw(st.sampled_from([[], [[]], [[None]]]))
    if kind == "col":
        n = draw(st.integers(1, 4))
        return [[draw(scalar_cell)] for _ in range(n)]
    if kind == "row":
        return [draw(scalar_cell) for _ in range(draw(st.integers(1, 4)))]
    if kind == "grid":
        r, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        return [[draw(scalar_cell) for _ in range(c)] for _ in range(r)]
    return [
        [draw(scalar_cell) for _ in range(draw(st.integers(0, 3)))] for _ in range(draw(st.integers(2, 3)))
    ]
