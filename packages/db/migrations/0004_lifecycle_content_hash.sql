DROP INDEX "finding_lifecycles_state_resource_kind_idx";--> statement-breakpoint
ALTER TABLE "finding_lifecycles" ADD COLUMN "content_hash" text;