import { describe, expect, it } from 'vitest';

import type { AssetQuery } from './bindings';
import { withoutKeys } from './deletion';

const query: AssetQuery = { account_id: null, kind: 'image', tags: [], text: null, sort: 'newest', offset: 0, limit: 0 };
const key = (id: string) => ({ account_id: 'acc', id });

describe('withoutKeys', () => {
  it('drops the blocked assets from a picked selection', () => {
    const narrowed = withoutKeys({ type: 'assets', keys: [key('a'), key('b'), key('c')] }, [key('b')]);
    expect(narrowed).toEqual({ type: 'assets', keys: [key('a'), key('c')] });
  });

  it('adds them to the exceptions of a select-all, once each', () => {
    const narrowed = withoutKeys({ type: 'matching', query, except: [key('x')] }, [key('x'), key('y')]);
    expect(narrowed).toEqual({ type: 'matching', query, except: [key('x'), key('y')] });
  });
});
