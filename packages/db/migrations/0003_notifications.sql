CREATE TABLE "notification_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"subscription_id" uuid NOT NULL,
	"event_key" text NOT NULL,
	"webhook_id" text NOT NULL,
	"event_type" text NOT NULL,
	"event_timestamp" timestamp (3) with time zone NOT NULL,
	"payload" jsonb NOT NULL,
	"cluster_id" uuid,
	"ticket_key" text,
	"host" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"first_attempt_at" timestamp (3) with time zone,
	"last_attempt_at" timestamp (3) with time zone,
	"next_attempt_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"enqueued_at" timestamp (3) with time zone,
	"leased_until" timestamp (3) with time zone,
	"last_status_code" integer,
	"last_error" text,
	"last_duration_ms" integer,
	"note" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone,
	CONSTRAINT "notification_deliveries_subscription_event_key" UNIQUE("subscription_id","event_key"),
	CONSTRAINT "notification_deliveries_status_check" CHECK ("notification_deliveries"."status" in ('pending', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "notification_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"format" text NOT NULL,
	"url" text NOT NULL,
	"host" text NOT NULL,
	"event_types" jsonb NOT NULL,
	"min_severity" text,
	"cluster_selector" jsonb,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"sealed_secrets" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"disabled_at" timestamp (3) with time zone,
	"failing_since" timestamp (3) with time zone,
	"last_success_at" timestamp (3) with time zone,
	"last_failure_at" timestamp (3) with time zone,
	"previous_secret_expires_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp (3) with time zone,
	CONSTRAINT "notification_subscriptions_format_check" CHECK ("notification_subscriptions"."format" in ('generic', 'jira', 'servicenow', 'pagerduty', 'slack')),
	CONSTRAINT "notification_subscriptions_severity_check" CHECK ("notification_subscriptions"."min_severity" is null or "notification_subscriptions"."min_severity" in ('critical', 'high', 'medium', 'low', 'info'))
);
--> statement-breakpoint
CREATE TABLE "notification_tickets" (
	"subscription_id" uuid NOT NULL,
	"cluster_id" uuid NOT NULL,
	"fingerprint" text NOT NULL,
	"reference" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_tickets_subscription_id_cluster_id_fingerprint_pk" PRIMARY KEY("subscription_id","cluster_id","fingerprint")
);
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_subscription_id_notification_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."notification_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_tickets" ADD CONSTRAINT "notification_tickets_subscription_id_notification_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."notification_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notification_deliveries_due_idx" ON "notification_deliveries" USING btree ("host","next_attempt_at","seq") WHERE "notification_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "notification_deliveries_inflight_idx" ON "notification_deliveries" USING btree ("host") WHERE "notification_deliveries"."status" = 'pending' and "notification_deliveries"."enqueued_at" is not null;--> statement-breakpoint
CREATE INDEX "notification_deliveries_ticket_idx" ON "notification_deliveries" USING btree ("subscription_id","ticket_key","seq") WHERE "notification_deliveries"."status" = 'pending' and "notification_deliveries"."ticket_key" is not null;--> statement-breakpoint
CREATE INDEX "notification_deliveries_subscription_idx" ON "notification_deliveries" USING btree ("subscription_id","created_at","id");--> statement-breakpoint
CREATE INDEX "notification_subscriptions_live_idx" ON "notification_subscriptions" USING btree ("created_at","id") WHERE "notification_subscriptions"."deleted_at" is null;