"""Formats of the tools people export from, one module per tool (or family of tools)."""

from importers.sources import analytics, chargebee, hubspot, nps, salesforce, stripe, support

SOURCE_FORMATS = (
    *stripe.FORMATS,
    *chargebee.FORMATS,
    *hubspot.FORMATS,
    *salesforce.FORMATS,
    *support.FORMATS,
    *analytics.FORMATS,
    *nps.FORMATS,
)
