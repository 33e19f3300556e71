-- Issues #10/#11: a payment for more than what is still due (a credit note lowered it after the
-- customer's attempt was open) keeps the excess as customer credit: one positive entry per
-- payment, keyed by the payment, as credit notes' entries are keyed by the note.
ALTER TABLE `customer_credit_entries` ADD `payment_id` text;
