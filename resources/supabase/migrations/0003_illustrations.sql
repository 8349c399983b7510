-- Tale Desktop: the pictures of picture books (cover and scene illustrations). Apply after 0002; re-running it
-- is harmless.
--
-- One row per picture, with the same client-made UUID ids as on the computers. The picture file itself lives in
-- the private `tales` bucket beside the story's audio, at {user_id}/{story_id}/{sha256}.{ext} (`remote_path`),
-- under the storage policies of 0001. Rows behave like the other tables: owner-only row level security, a
-- server-assigned `revision`, the per-field merge of 0002 (`clocks`) and the no-echo `origin` mark, all through
-- the shared trigger `tale_sync_stamp`. Pictures are tombstoned (`deleted_at`), never deleted by the app; the
-- objects of a deleted story are removed from the bucket by the app that deleted it.

create table if not exists public.illustrations (
  user_id     uuid not null default auth.uid(),
  id          uuid not null,
  story_id    uuid not null,
  paragraph   integer not null default 0 check (paragraph >= 0),  -- follows this paragraph; 0 is the cover
  sha256      text not null default '',
  mime        text not null default 'image/png',
  width       integer not null default 0,
  height      integer not null default 0,
  size        bigint not null default 0,
  prompt      text not null default '',
  scene       text not null default '',
  style       text not null default 'watercolour',
  model       text not null default '',
  stats       jsonb not null default '{}'::jsonb,
  remote_path text,
  created_at  timestamptz not null,
  updated_at  timestamptz not null,
  deleted_at  timestamptz,
  revision    bigint not null default 0,
  synced_at   timestamptz not null default now(),
  clocks      jsonb not null default '{}'::jsonb,
  origin      text not null default '',
  primary key (user_id, id)
);

create index if not exists illustrations_user_updated on public.illustrations (user_id, updated_at);
create index if not exists illustrations_user_revision on public.illustrations (user_id, revision);
create index if not exists illustrations_user_revision_origin on public.illustrations (user_id, revision)
  include (origin);
create index if not exists illustrations_user_story on public.illustrations (user_id, story_id);

drop trigger if exists tale_sync_stamp on public.illustrations;
create trigger tale_sync_stamp before insert or update on public.illustrations
  for each row execute function public.tale_sync_stamp();

alter table public.illustrations enable row level security;
revoke all on public.illustrations from anon;
grant select, insert, update, delete on public.illustrations to authenticated;

drop policy if exists illustrations_select_own on public.illustrations;
create policy illustrations_select_own on public.illustrations for select to authenticated
  using (user_id = (select auth.uid()));
drop policy if exists illustrations_insert_own on public.illustrations;
create policy illustrations_insert_own on public.illustrations for insert to authenticated
  with check (user_id = (select auth.uid()));
drop policy if exists illustrations_update_own on public.illustrations;
create policy illustrations_update_own on public.illustrations for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
drop policy if exists illustrations_delete_own on public.illustrations;
create policy illustrations_delete_own on public.illustrations for delete to authenticated
  using (user_id = (select auth.uid()));

-- Live updates: Supabase Realtime sends `postgres_changes` only for tables in its publication (the dashboard's
-- "Enable Realtime"). Add the synced tables when the project has the publication and they are not in it yet.
do $$
declare
  t text;
begin
  if exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    foreach t in array array['children', 'heroes', 'stories', 'narrations', 'illustrations'] loop
      if not exists (select 1 from pg_publication_tables
                     where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = t) then
        execute format('alter publication supabase_realtime add table public.%I', t);
      end if;
    end loop;
  end if;
end;
$$;

-- Tell PostgREST about the new table (Supabase reloads its schema cache on this notification).
notify pgrst, 'reload schema';
