"""Every write about pledges, donations, receipts, refunds and goods.

Split by subject: pledges, gifts (donations and their ledger entries), receipts, refunds,
goods, stripe_events.
"""
