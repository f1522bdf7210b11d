"""Provider-neutral engine: state, rules, timing, faults and results. Knows nothing of HTTP."""
