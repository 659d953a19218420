// Test data shared by the unit tests: an asset with every field, overridable.

import type { Asset } from './bindings';

export function testAsset(fields: Partial<Asset> & Pick<Asset, 'id'>): Asset {
  return {
    account_id: 'local',
    name: `${fields.id}.png`,
    kind: 'image',
    content_type: 'image/png',
    size: 1000,
    width: 10,
    height: 10,
    duration_s: null,
    tags: [],
    url: null,
    thumbnail_url: null,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: null,
    used_in_videos: null,
    used_in_templates: null,
    last_used: null,
    usage_fetched_at: null,
    pending: false,
    ...fields,
  };
}
