-- Tale Desktop: the family library in a Supabase project.
--
-- Tables mirror the local records (DESIGN section 3) with the same client-made UUID ids. Every row belongs to
-- the signed-in parent (user_id defaults to auth.uid()) and row level security lets a parent reach only their
-- own rows. Rows are never hard-deleted by the app: a deletion is a tombstone (deleted_at set).
--
-- Sync bookkeeping:
--   * revision: a server-assigned, per-parent commit-ordered number, set on every insert and accepted update.
--     Devices pull "revision > my cursor", which is immune to clock skew between devices.
--   * last-writer-wins: an update whose updated_at is older than the stored row's is ignored. At equal
--     updated_at a tombstone wins; otherwise the stored (first arrived) row is kept. Devices apply the same rule.
--
-- Apply once per project (see resources/supabase/README.md). Re-running it is harmless.

create sequence if not exists public.tale_revision as bigint;
grant usage on sequence public.tale_revision to authenticated;

-- Last-writer-wins guard and revision stamp, shared by every table.
create or replace function public.tale_sync_stamp()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' then
    if new.user_id is distinct from old.user_id or new.id is distinct from old.id then
      raise exception 'the owner and id of a row cannot change' using errcode = '42501';
    end if;
    if new.updated_at < old.updated_at
       or (new.updated_at = old.updated_at
           and not (new.deleted_at is not null and old.deleted_at is null)) then
      return null;  -- the stored row is newer (or wins the tie): keep it
    end if;
  end if;
  -- Serialise this parent's writes so revisions commit in the order they are handed out.
  perform pg_advisory_xact_lock(hashtextextended(new.user_id::text, 0));
  new.revision := nextval('public.tale_revision');
  new.synced_at := now();
  return new;
end;
$$;

create table if not exists public.children (
  user_id     uuid not null default auth.uid(),
  id          uuid not null,
  name        text not null,
  age_band    text not null,
  gender      text not null,
  interests   jsonb not null default '[]'::jsonb,
  created_at  timestamptz not null,
  updated_at  timestamptz not null,
  deleted_at  timestamptz,
  revision    bigint not null default 0,
  synced_at   timestamptz not null default now(),
  primary key (user_id, id)
);

create table if not exists public.heroes (
  user_id            uuid not null default auth.uid(),
  id                 uuid not null,
  name               text not null,
  gender             text not null,
  appearance         text not null,
  personality_traits jsonb not null default '[]'::jsonb,
  interests          jsonb not null default '[]'::jsonb,
  strengths          jsonb not null default '[]'::jsonb,
  language           text not null,
  builtin            boolean not null default false,
  created_at         timestamptz not null,
  updated_at         timestamptz not null,
  deleted_at         timestamptz,
  revision           bigint not null default 0,
  synced_at          timestamptz not null default now(),
  primary key (user_id, id)
);

create table if not exists public.stories (
  user_id        uuid not null default auth.uid(),
  id             uuid not null,
  title          text not null default '',
  content        text not null default '',
  summary        text not null default '',
  language       text not null,
  story_type     text not null,
  child_id       uuid,
  hero_id        uuid,
  child_snapshot jsonb,
  hero_snapshot  jsonb,
  moral          text not null,
  theme          text,
  minutes        integer not null,
  target_words   integer not null,
  parent_id      uuid,
  status         text not null,
  rating         smallint check (rating between 1 and 10),
  favourite      boolean not null default false,
  model          text,
  stats          jsonb not null default '{}'::jsonb,
  review         jsonb,
  created_at     timestamptz not null,
  updated_at     timestamptz not null,
  deleted_at     timestamptz,
  revision       bigint not null default 0,
  synced_at      timestamptz not null default now(),
  primary key (user_id, id)
);

create table if not exists public.narrations (
  user_id         uuid not null default auth.uid(),
  id              uuid not null,
  story_id        uuid not null,
  provider        text not null,
  voice_id        text not null default '',
  language        text not null,
  format          text not null,
  duration_s      double precision not null default 0,
  size            bigint not null default 0,
  sha256          text not null default '',
  timings         jsonb not null default '[]'::jsonb,
  remote_path     text,
  fallback_reason text,
  created_at      timestamptz not null,
  updated_at      timestamptz not null,
  deleted_at      timestamptz,
  revision        bigint not null default 0,
  synced_at       timestamptz not null default now(),
  primary key (user_id, id)
);

do $$
declare
  t text;
begin
  foreach t in array array['children', 'heroes', 'stories', 'narrations'] loop
    execute format('create index if not exists %I on public.%I (user_id, updated_at)', t || '_user_updated', t);
    execute format('create index if not exists %I on public.%I (user_id, revision)', t || '_user_revision', t);
    execute format('drop trigger if exists tale_sync_stamp on public.%I', t);
    execute format('create trigger tale_sync_stamp before insert or update on public.%I '
                   'for each row execute function public.tale_sync_stamp()', t);

    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on public.%I from anon', t);
    execute format('grant select, insert, update, delete on public.%I to authenticated', t);

    execute format('drop policy if exists %I on public.%I', t || '_select_own', t);
    execute format('create policy %I on public.%I for select to authenticated '
                   'using (user_id = (select auth.uid()))', t || '_select_own', t);
    execute format('drop policy if exists %I on public.%I', t || '_insert_own', t);
    execute format('create policy %I on public.%I for insert to authenticated '
                   'with check (user_id = (select auth.uid()))', t || '_insert_own', t);
    execute format('drop policy if exists %I on public.%I', t || '_update_own', t);
    execute format('create policy %I on public.%I for update to authenticated '
                   'using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()))',
                   t || '_update_own', t);
    execute format('drop policy if exists %I on public.%I', t || '_delete_own', t);
    execute format('create policy %I on public.%I for delete to authenticated '
                   'using (user_id = (select auth.uid()))', t || '_delete_own', t);
  end loop;
end;
$$;

create index if not exists stories_user_parent on public.stories (user_id, parent_id);
create index if not exists narrations_user_story on public.narrations (user_id, story_id);

-- Narration audio: a private bucket; objects live at {user_id}/{story_id}/{sha256}.{format}.
insert into storage.buckets (id, name, public)
values ('tales', 'tales', false)
on conflict (id) do nothing;

drop policy if exists tales_select_own on storage.objects;
create policy tales_select_own on storage.objects for select to authenticated
  using (bucket_id = 'tales' and (storage.foldername(name))[1] = (select auth.uid())::text);

drop policy if exists tales_insert_own on storage.objects;
create policy tales_insert_own on storage.objects for insert to authenticated
  with check (bucket_id = 'tales' and (storage.foldername(name))[1] = (select auth.uid())::text);

drop policy if exists tales_update_own on storage.objects;
create policy tales_update_own on storage.objects for update to authenticated
  using (bucket_id = 'tales' and (storage.foldername(name))[1] = (select auth.uid())::text)
  with check (bucket_id = 'tales' and (storage.foldername(name))[1] = (select auth.uid())::text);

drop policy if exists tales_delete_own on storage.objects;
create policy tales_delete_own on storage.objects for delete to authenticated
  using (bucket_id = 'tales' and (storage.foldername(name))[1] = (select auth.uid())::text);
