// Generated from the Rust model (crates/trove-core/src/model.rs) by ts-rs. Do not edit:
// change the Rust types and run `TROVE_UPDATE_BINDINGS=1 cargo test -p trove-core bindings`.

export type AssetKind = "image" | "video" | "audio" | "other";

export type Asset = { 
/**
 * The account this asset belongs to (cache-local id).
 */
account_id: string, 
/**
 * The provider's own id for the asset.
 */
id: string, name: string, kind: AssetKind, content_type: string | null, size: number | null, width: number | null, height: number | null, duration_s: number | null, tags: Array<string>, url: string | null, thumbnail_url: string | null, 
/**
 * RFC 3339, as the provider gave it.
 */
created_at: string, updated_at: string | null, used_in_videos: number | null, used_in_templates: number | null, last_used: string | null, 
/**
 * When the usage counts above were fetched; `None` when they never were.
 */
usage_fetched_at: string | null, 
/**
 * A local edit of this asset is waiting for the remote.
 */
pending: boolean, };

export type SortKey = "newest" | "oldest" | "name" | "size" | "duration";

export type AssetQuery = { account_id: string | null, kind: AssetKind | null, 
/**
 * Every tag listed must be on the asset.
 */
tags: Array<string>, 
/**
 * Words that must start a word of the name or of a tag (search as you type).
 */
text: string | null, sort: SortKey, offset: number, 
/**
 * At most [`AssetQuery::MAX_LIMIT`]; 0 means the default.
 */
limit: number, };

export type AssetPage = { total: number, offset: number, items: Array<Asset>, };

export type TagFacet = { tag: string, count: number, };

export type Connectivity = "unknown" | "online" | "offline" | "syncing";

export type AccountStatus = { account_id: string, name: string, provider: string, connectivity: Connectivity, last_sync_at: string | null, last_error: string | null, 
/**
 * While syncing: assets listed so far, and the remote's total when it announces one.
 */
sync_listed: number | null, sync_total: number | null, asset_count: number, 
/**
 * Edits waiting for the remote.
 */
pending_edits: number, 
/**
 * Edits the remote refused for good; kept, and shown, never silently dropped.
 */
rejected_edits: number, };

export type LibraryStatus = { accounts: Array<AccountStatus>, 
/**
 * Set when the library could not be opened at all (corrupt cache, unwritable data dir): the UI
 * shows it instead of a grid.
 */
fatal_error: string | null, 
/**
 * Where Trove keeps its data, so a user told about a corrupt file knows where to look.
 */
data_dir: string, };

export type TroveEvent = { "type": "sync_started", account_id: string, } | { "type": "sync_progress", account_id: string, listed: number, total: number | null, } | { "type": "sync_finished", account_id: string, upserted: number, removed: number, } | { "type": "sync_failed", account_id: string, message: string, } | { "type": "library_changed" } | { "type": "upload_changed", upload: UploadItem, } | { "type": "upload_progress", id: number, bytes_sent: number, total: number, } | { "type": "watched_folder_gone", path: string, } | { "type": "thumbnail_progress", done: number, total: number, };

export type ProblemCode = "file_empty" | "file_unreadable" | "format_unrecognized" | "format_extension_mismatch" | "uploads_unsupported" | "image_file_broken" | "video_file_broken" | "audio_file_broken" | "image_format_unsupported" | "video_format_unsupported" | "audio_format_unsupported" | "media_filesize_too_large" | "image_dimensions_too_small" | "image_dimensions_too_large" | "video_resolution_too_low" | "video_resolution_too_high" | "video_duration_too_short" | "video_duration_too_long" | "audio_duration_too_short" | "audio_duration_too_long";

export type Problem = { code: ProblemCode, message: string, };

export type UploadState = "probing" | "rejected" | "duplicate" | "queued" | "uploading" | "done" | "failed" | "cancelled";

export type UploadItem = { id: number, account_id: string, path: string, 
/**
 * The name the new asset gets.
 */
name: string, tags: Array<string>, 
/**
 * How the file came: `cli`, `drop`, `dialog` or `watch`.
 */
origin: string, state: UploadState, size: number | null, bytes_sent: number, kind: AssetKind | null, 
/**
 * Why the target would refuse the file (state `rejected`).
 */
problems: Array<Problem>, 
/**
 * Why the last attempt failed.
 */
error: string | null, 
/**
 * When a transient failure is tried again (RFC 3339).
 */
retry_at: string | null, attempts: number, 
/**
 * The asset created, or the one this file duplicates.
 */
asset_id: string | null, updated_at: string, };

export type AssetDetails = { asset: Asset, 
/**
 * Whether the usage counts were just fetched from the remote.
 */
usage_fresh: boolean, 
/**
 * Why they could not be (offline, refused).
 */
usage_error: string | null, };

export type AssetKey = { account_id: string, id: string, };

export type Selection = { "type": "assets", keys: Array<AssetKey>, } | { "type": "matching", query: AssetQuery, except: Array<AssetKey>, };

export type AssetEdit = { "op": "rename", name: string, } | { "op": "add_tag", tag: string, } | { "op": "remove_tag", tag: string, };

export type EditSummary = { 
/**
 * Assets changed (and queued for their remote).
 */
changed: number, 
/**
 * Assets the edit would not change (the tag was already there).
 */
unchanged: number, 
/**
 * Assets no longer in the cache (removed by a sync since they were selected).
 */
missing: number, };

export type AssetInUse = { key: AssetKey, name: string, used_in_videos: number, used_in_templates: number, last_used: string | null, };

export type UsageUnknown = { key: AssetKey, name: string, reason: string, };

export type DeleteCheck = { 
/**
 * Assets selected.
 */
total: number, in_use: Array<AssetInUse>, unknown: Array<UsageUnknown>, };

export type DeleteOutcome = { deleted: number, check: DeleteCheck, };

export type AccountForm = { name: string, 
/**
 * The provider adapter's key (`local` for a team's Trove server, `sixtyseconds`).
 */
provider: string, base_url: string, 
/**
 * The API key. When changing an account, empty keeps the one in the keychain.
 */
api_key: string, };

export type AccountSettings = { id: string, name: string, provider: string, base_url: string, 
/**
 * Where the key lives, in words ("the OS keychain", "environment variable TEAM_KEY").
 */
key_source: string, 
/**
 * False for the Local library, which Trove runs itself.
 */
editable: boolean, };

export type ProviderChoice = { key: string, label: string, };

export type ConnectionReport = { 
/**
 * Assets in the account, when the API reports a total.
 */
total: number | null, 
/**
 * Assets on the first page the test read.
 */
first_page: number, };

export type UnsentWork = { name: string, edits: number, uploads: number, };

export type WatchedFolder = { path: string, account_id: string, tags: Array<string>, };
