-- Issue 22: a creator whose prompt material is unchanged since its last analysis is not sent to OpenAI again.
-- prompt_hash: sha-256 of what a request line asks (model, instructions, schema, the creator's text, the images' ids);
-- the blog keeps the hash of its last successful analysis, the item the hash of the line it was sent as.
ALTER TABLE blogs ADD COLUMN ai_prompt_hash text;
ALTER TABLE ai_batch_items ADD COLUMN prompt_hash text;
-- The reasoning part of output_tokens (usage.completion_tokens_details.reasoning_tokens), for the cost figures.
ALTER TABLE ai_batch_items ADD COLUMN reasoning_tokens integer;
