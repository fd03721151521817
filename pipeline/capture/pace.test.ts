import { describe, expect, it } from 'vitest';
import { MAX_SLOWDOWN, nextPace } from './pace.ts';

describe('nextPace', () => {
  it('slows recognition fast while frames are lost, up to a bound', () => {
    let pace = { slowdown: 1 };
    pace = nextPace(pace, 10, 50);
    expect(pace.slowdown).toBe(1.5);
    for (let i = 0; i < 20; i++) pace = nextPace(pace, 10, 50);
    expect(pace.slowdown).toBe(MAX_SLOWDOWN);
  });

  it('speeds up slowly while nothing is lost, never past the configured rate', () => {
    let pace = { slowdown: 4 };
    pace = nextPace(pace, 0, 50);
    expect(pace.slowdown).toBeCloseTo(3.2, 5);
    for (let i = 0; i < 50; i++) pace = nextPace(pace, 0, 50);
    expect(pace.slowdown).toBe(1);
  });

  it('takes two frames or 5 % of the expected ones as noise, and waits while nothing is expected', () => {
    expect(nextPace({ slowdown: 2 }, 2, 50).slowdown).toBeCloseTo(1.6, 5);
    expect(nextPace({ slowdown: 2 }, 3, 50).slowdown).toBe(3);
    expect(nextPace({ slowdown: 2 }, 5, 200).slowdown).toBeCloseTo(1.6, 5);
    expect(nextPace({ slowdown: 2 }, 30, 0).slowdown).toBe(2);
  });
});
