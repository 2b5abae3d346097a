-- Issue 22: the enqueued-token check and the cost figures count tokens with the tokenizer and the model's image rule
-- (src/ai/tokens.ts) instead of bytes ÷ 4. Batches built before this have 0 here (input_tokens stays what OpenAI reported); their input_bytes ÷ 4 is used.
ALTER TABLE ai_batches ADD COLUMN estimated_tokens bigint NOT NULL DEFAULT 0;
