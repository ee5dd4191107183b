"""The compliance officer's view (SPEC §12): every meeting of every province
with what draws scrutiny — closed in the last month, flagged, meals near the
cap — as filters a domain may add to (review_filter)."""
