-- Every new command for a gateway (a kill switch, its release, an approval decision) wakes that
-- gateway's parked long-poll on every Warden replica when the transaction commits: NOTIFY
-- `warden_wake` with the gateway ids, the channel policy refreshes already use (warden_policy_touch
-- sends its own, so those rows are left out here). Before this, only the replica that committed the
-- command woke its own polls at once; a gateway parked on another replica waited for that
-- replica's outbox recheck (every 2 s). A trigger rather than a call in each service: no path that
-- writes a command (console, API, playbooks, the CLI, a script) can forget it. The recheck stays
-- as the safety net (a listener that was reconnecting, a redelivery that falls due later).
CREATE FUNCTION warden_wake_commands() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids text[];
  i int;
BEGIN
  SELECT coalesce(array_agg(DISTINCT n.gateway_id::text), '{}') INTO ids
    FROM new_rows n WHERE n.type <> 'policy_refresh' AND n.state = 'pending';
  IF cardinality(ids) = 0 THEN RETURN NULL; END IF;
  -- NOTIFY payloads are limited to 8000 bytes: 150 ids (37 bytes each) per message.
  FOR i IN 0 .. (cardinality(ids) - 1) / 150 LOOP
    PERFORM pg_notify('warden_wake', array_to_string(ids[i * 150 + 1 : i * 150 + 150], ','));
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER gateway_commands_wake_ins AFTER INSERT ON gateway_commands REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_wake_commands();
