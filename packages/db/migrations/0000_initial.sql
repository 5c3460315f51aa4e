CREATE TABLE "exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cluster_selector" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"checks" text[] NOT NULL,
	"subject" jsonb,
	"resource" jsonb,
	"reason" text NOT NULL,
	"owner" text,
	"expires_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "clusters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"source" jsonb NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"schedule_interval_seconds" integer,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp (3) with time zone,
	CONSTRAINT "clusters_schedule_check" CHECK ("clusters"."schedule_interval_seconds" is null or "clusters"."schedule_interval_seconds" >= 60)
);
--> statement-breakpoint
CREATE TABLE "finding_lifecycles" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "finding_lifecycles_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"cluster_id" uuid NOT NULL,
	"fingerprint" text NOT NULL,
	"state" text NOT NULL,
	"check_id" text NOT NULL,
	"title" text NOT NULL,
	"severity" text NOT NULL,
	"resource_kind" text NOT NULL,
	"resource_name" text NOT NULL,
	"resource_namespace" text,
	"subject_kind" text,
	"subject_name" text,
	"subject_namespace" text,
	"message" text NOT NULL,
	"controls" text[] NOT NULL,
	"suppression" jsonb,
	"first_seen_at" timestamp (3) with time zone NOT NULL,
	"last_seen_at" timestamp (3) with time zone NOT NULL,
	"first_run_id" uuid NOT NULL,
	"last_run_id" uuid NOT NULL,
	"opened_at" timestamp (3) with time zone,
	"resolved_at" timestamp (3) with time zone,
	"reopened_count" integer DEFAULT 0 NOT NULL,
	"changed_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "finding_lifecycles_state_check" CHECK ("finding_lifecycles"."state" in ('open', 'resolved', 'suppressed'))
);
--> statement-breakpoint
CREATE TABLE "findings" (
	"run_id" uuid NOT NULL,
	"fingerprint" text NOT NULL,
	"check_id" text NOT NULL,
	"title" text NOT NULL,
	"severity" text NOT NULL,
	"status" text NOT NULL,
	"resource_kind" text NOT NULL,
	"resource_name" text NOT NULL,
	"resource_namespace" text,
	"subject_kind" text,
	"subject_name" text,
	"subject_namespace" text,
	"message" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"controls" text[] NOT NULL,
	"suppression" jsonb,
	CONSTRAINT "findings_pkey" PRIMARY KEY("run_id","fingerprint"),
	CONSTRAINT "findings_status_check" CHECK ("findings"."status" in ('fail', 'suppressed'))
);
--> statement-breakpoint
CREATE TABLE "outbox_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"type" text NOT NULL,
	"cluster_id" uuid NOT NULL,
	"run_id" uuid,
	"dedupe_key" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"available_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"leased_until" timestamp (3) with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"dispatched_at" timestamp (3) with time zone,
	CONSTRAINT "outbox_events_dedupe_key" UNIQUE("dedupe_key"),
	CONSTRAINT "outbox_events_type_check" CHECK ("outbox_events"."type" in ('finding.opened', 'finding.resolved', 'finding.reopened', 'scan.failed', 'compliance.control_regressed'))
);
--> statement-breakpoint
CREATE TABLE "scan_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cluster_id" uuid NOT NULL,
	"slot" text NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone,
	"recorded_at" timestamp (3) with time zone,
	"durations" jsonb,
	"coverage" jsonb,
	"summary" jsonb,
	"checks" jsonb,
	"compliance" jsonb,
	"warnings" jsonb,
	"findings_failed" integer,
	"findings_suppressed" integer,
	"open_by_severity" jsonb,
	"transitions" jsonb,
	"error" text,
	CONSTRAINT "scan_runs_cluster_slot_key" UNIQUE("cluster_id","slot"),
	CONSTRAINT "scan_runs_status_check" CHECK ("scan_runs"."status" in ('queued', 'running', 'complete', 'partial', 'failed')),
	CONSTRAINT "scan_runs_trigger_check" CHECK ("scan_runs"."trigger" in ('schedule', 'manual'))
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"run_id" uuid PRIMARY KEY NOT NULL,
	"cluster_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"size_bytes" integer NOT NULL,
	"compressed_bytes" integer NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "finding_lifecycles" ADD CONSTRAINT "finding_lifecycles_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_run_id_scan_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."scan_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD CONSTRAINT "outbox_events_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scan_runs" ADD CONSTRAINT "scan_runs_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_run_id_scan_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."scan_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exceptions_created_idx" ON "exceptions" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "clusters_live_name_key" ON "clusters" USING btree ("name") WHERE "clusters"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "clusters_labels_idx" ON "clusters" USING gin ("labels");--> statement-breakpoint
CREATE UNIQUE INDEX "finding_lifecycles_cluster_fingerprint_key" ON "finding_lifecycles" USING btree ("cluster_id","fingerprint");--> statement-breakpoint
CREATE INDEX "finding_lifecycles_cluster_state_idx" ON "finding_lifecycles" USING btree ("cluster_id","state","id");--> statement-breakpoint
CREATE INDEX "finding_lifecycles_state_severity_idx" ON "finding_lifecycles" USING btree ("state","severity","id");--> statement-breakpoint
CREATE INDEX "finding_lifecycles_state_check_idx" ON "finding_lifecycles" USING btree ("state","check_id","id");--> statement-breakpoint
CREATE INDEX "finding_lifecycles_state_resource_kind_idx" ON "finding_lifecycles" USING btree ("state","resource_kind","id");--> statement-breakpoint
CREATE INDEX "finding_lifecycles_subject_idx" ON "finding_lifecycles" USING btree ("subject_name","subject_kind");--> statement-breakpoint
CREATE INDEX "finding_lifecycles_changed_idx" ON "finding_lifecycles" USING btree ("changed_at","id");--> statement-breakpoint
CREATE INDEX "finding_lifecycles_controls_idx" ON "finding_lifecycles" USING gin ("controls");--> statement-breakpoint
CREATE INDEX "outbox_events_pending_idx" ON "outbox_events" USING btree ("available_at","created_at") WHERE "outbox_events"."dispatched_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_events_cluster_created_idx" ON "outbox_events" USING btree ("cluster_id","created_at");--> statement-breakpoint
CREATE INDEX "scan_runs_cluster_created_idx" ON "scan_runs" USING btree ("cluster_id","created_at","id");--> statement-breakpoint
CREATE INDEX "scan_runs_created_idx" ON "scan_runs" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "scan_runs_cluster_recorded_idx" ON "scan_runs" USING btree ("cluster_id","recorded_at") WHERE "scan_runs"."status" in ('complete', 'partial');--> statement-breakpoint
CREATE INDEX "scan_runs_cluster_finished_idx" ON "scan_runs" USING btree ("cluster_id","finished_at") WHERE "scan_runs"."status" in ('complete', 'partial');--> statement-breakpoint
CREATE INDEX "snapshots_cluster_created_idx" ON "snapshots" USING btree ("cluster_id","created_at");