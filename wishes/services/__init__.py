"""Every write about wishes, split by subject: lifecycle (post, vet, deliver, fulfil),
claims, chipins (money on its way and paid), notify (who is told what)."""
