"""The dashboard area: the department view's widgets, the administrators' summary, the stats."""
