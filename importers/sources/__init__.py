"""Formats of the tools people export from, one module per tool."""

from importers.sources import (
    amplitude,
    chargebee,
    delighted,
    hubspot,
    intercom,
    mixpanel,
    nps,
    posthog,
    salesforce,
    salesforce_activities,
    segment,
    stripe,
    zendesk,
)

SOURCE_FORMATS = (
    *stripe.FORMATS,
    *chargebee.FORMATS,
    *hubspot.FORMATS,
    *salesforce.FORMATS,
    *salesforce_activities.FORMATS,
    *zendesk.FORMATS,
    *intercom.FORMATS,
    *mixpanel.FORMATS,
    *amplitude.FORMATS,
    *segment.FORMATS,
    *posthog.FORMATS,
    *delighted.FORMATS,
    *nps.FORMATS,
)
