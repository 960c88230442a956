-- uses: attribution
-- Attributed cost of given statements over the window (the window should cover their execution).
SELECT cost_usd FROM statement_cost WHERE statement_id = :statement_id
