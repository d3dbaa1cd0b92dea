-- Hand-written (no schema change): the app connects with a role that owns nothing (see
-- scripts/lib/db-roles.mjs and the README's "Database roles"), so the two things it does at runtime
-- that need the tables' owner run as the owner, through functions that do only that:
-- creating day partitions of tool_calls (ingestion, startup, daily) and dropping old ones
-- (retention). SECURITY DEFINER with a fixed search_path (pg_temp last, so a temporary table cannot
-- stand in for a real one); nobody but the roles granted EXECUTE after each migration may run them.
ALTER FUNCTION warden_ensure_tool_call_partitions(date, date) SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE ALL ON FUNCTION warden_ensure_tool_call_partitions(date, date) FROM PUBLIC;

-- Detach and drop one day partition of tool_calls (name tool_calls_YYYYMMDD). Anything else is
-- refused; a name that is not (or no longer) a partition returns false. The caller sets its
-- lock_timeout (retention: 2 s) for the transaction.
CREATE OR REPLACE FUNCTION warden_drop_tool_call_partition(part text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF part IS NULL OR part !~ '^tool_calls_[0-9]{8}$' THEN
    RAISE EXCEPTION 'not a day partition of tool_calls: %', part USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.tool_calls'::regclass AND c.relname = part AND c.relnamespace = 'public'::regnamespace
  ) THEN
    RETURN false;
  END IF;
  EXECUTE format('ALTER TABLE public.tool_calls DETACH PARTITION public.%I', part);
  EXECUTE format('DROP TABLE public.%I', part);
  RETURN true;
END $$;
REVOKE ALL ON FUNCTION warden_drop_tool_call_partition(text) FROM PUBLIC;
