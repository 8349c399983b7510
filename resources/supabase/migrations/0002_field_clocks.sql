-- Tale Desktop: per-field merge with hybrid logical clocks (docs/sync.md). Apply after 0001; re-running it is
-- harmless.
--
-- Every synced field of a row carries the clock of the edit that set it, in `clocks` (jsonb): "" is the base
-- clock (created_at's) and a field has its own entry when a later edit set it. A clock is the text
-- 'WWWWWWWWWWWWW.CCCCC.DEVICE' (wall ms, counter, device id) and clocks compare as text in the "C" collation, the
-- same order the app uses. On every write the trigger keeps, field by field, the value with the larger clock, so
-- two devices pushing at once cannot undo each other's edits, and an edit made after seeing another one wins
-- whatever the device clocks say. At equal clocks the stored value stays (the devices do the same).
--
-- `origin` is the device whose push the stored row is, unchanged; '' when the server merged something in. A
-- device pulls only rows whose origin is not itself, so it never downloads again what it just pushed.
--
-- Rows that exist already get their updated_at as the clock of every field (what last-writer-wins gave them).

create or replace function public.tale_legacy_clock(ts timestamptz)
returns text
language sql
immutable
set search_path = ''
as $$
  select lpad(round(extract(epoch from ts) * 1000)::bigint::text, 13, '0') || '.00000.'
$$;

do $$
declare
  t text;
begin
  foreach t in array array['children', 'heroes', 'stories', 'narrations'] loop
    execute format('alter table public.%I add column if not exists clocks jsonb not null default ''{}''::jsonb', t);
    execute format('alter table public.%I add column if not exists origin text not null default ''''', t);
    execute format('alter table public.%I disable trigger tale_sync_stamp', t);
    execute format('update public.%I set clocks = jsonb_build_object('''', public.tale_legacy_clock(updated_at)) '
                   'where clocks = ''{}''::jsonb', t);
    execute format('alter table public.%I enable trigger tale_sync_stamp', t);
  end loop;
end;
$$;

-- The canonical shape of a row's clocks: the base ("", the clock of created_at) and the fields that differ.
create or replace function public.tale_canonical_clocks(effective jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('', effective ->> 'created_at') || coalesce(
    (select jsonb_object_agg(key, value) from jsonb_each(effective)
      where value is distinct from effective -> 'created_at'), '{}'::jsonb)
$$;

-- The per-field merge and revision stamp, shared by every table (replaces 0001's last-writer-wins guard).
create or replace function public.tale_sync_stamp()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  incoming jsonb;
  stored jsonb;
  merged jsonb := '{}'::jsonb;
  effective jsonb := '{}'::jsonb;
  column_name text;
  theirs text;
  ours text;
  took_all boolean := true;   -- the stored row ends up exactly as the pushing device sent it
  changed boolean := false;
begin
  if new.clocks is null or new.clocks = '{}'::jsonb then
    -- A writer from before field clocks: its updated_at is the clock of everything it sent.
    new.clocks := jsonb_build_object('', public.tale_legacy_clock(new.updated_at));
    new.origin := '';
  end if;
  if tg_op = 'UPDATE' then
    if new.user_id is distinct from old.user_id or new.id is distinct from old.id then
      raise exception 'the owner and id of a row cannot change' using errcode = '42501';
    end if;
    incoming := to_jsonb(new);
    stored := to_jsonb(old);
    if new.clocks = old.clocks
       and incoming - array['origin', 'revision', 'synced_at'] is distinct from
           stored - array['origin', 'revision', 'synced_at'] then
      -- Same clocks but other values: an older app version (it does not send clocks) saved the row.
      new.clocks := jsonb_build_object('', public.tale_legacy_clock(new.updated_at));
      new.origin := '';
      incoming := to_jsonb(new);
    end if;
    for column_name in select jsonb_object_keys(incoming) loop
      continue when column_name in ('user_id', 'id', 'revision', 'synced_at', 'clocks', 'origin');
      theirs := coalesce(new.clocks ->> column_name, new.clocks ->> '', '');
      ours := coalesce(old.clocks ->> column_name, old.clocks ->> '', '');
      if theirs collate "C" > ours collate "C" then
        merged := merged || jsonb_build_object(column_name, incoming -> column_name);
        effective := effective || jsonb_build_object(column_name, theirs);
        changed := changed or (incoming -> column_name) is distinct from (stored -> column_name);
      else
        merged := merged || jsonb_build_object(column_name, stored -> column_name);
        effective := effective || jsonb_build_object(column_name, ours);
        took_all := took_all and theirs = ours
                    and (incoming -> column_name) is not distinct from (stored -> column_name);
      end if;
    end loop;
    effective := public.tale_canonical_clocks(effective);
    if not changed and effective = old.clocks then
      return null;  -- nothing new: keep the stored row and its revision
    end if;
    new := jsonb_populate_record(new, merged);
    new.clocks := effective;
    if not took_all then
      new.origin := '';  -- the pushing device lacks part of this row: it pulls it like everyone else
    end if;
  end if;
  -- Serialise this parent's writes so revisions commit in the order they are handed out.
  perform pg_advisory_xact_lock(hashtextextended(new.user_id::text, 0));
  new.revision := nextval('public.tale_revision');
  new.synced_at := now();
  return new;
end;
$$;

do $$
declare
  t text;
begin
  foreach t in array array['children', 'heroes', 'stories', 'narrations'] loop
    execute format('create index if not exists %I on public.%I (user_id, revision) include (origin)',
                   t || '_user_revision_origin', t);
  end loop;
end;
$$;

-- Tell PostgREST about the new columns (Supabase reloads its schema cache on this notification).
notify pgrst, 'reload schema';
