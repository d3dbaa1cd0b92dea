-- CreateTable
CREATE TABLE "tool_call_views" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "filters" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tool_call_views_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "tool_call_views_user_id_name_key_key" ON "tool_call_views"("user_id", "name_key");

-- CreateIndex
CREATE INDEX "tool_calls_ingested_at_idx" ON "tool_calls"("ingested_at");

-- AddForeignKey
ALTER TABLE "tool_call_views" ADD CONSTRAINT "tool_call_views_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
