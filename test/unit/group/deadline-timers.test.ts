import { describe, expect, it } from 'vitest';
import { DeadlineTimers } from '../../../runtime/broker/group/deadline-timers.ts';

describe('DeadlineTimers', () => {
  it('hands out due timers in deadline order, ties in scheduling order', () => {
    const t = new DeadlineTimers<string>();
    t.schedule('c', 30, 'C');
    t.schedule('a', 10, 'A');
    t.schedule('b', 10, 'B');
    expect(t.nextDeadline()).toBe(10);
    expect(t.popDue(5)).toBeUndefined();
    expect(t.popDue(30)?.payload).toBe('A');
    expect(t.popDue(30)?.payload).toBe('B');
    expect(t.popDue(30)?.payload).toBe('C');
    expect(t.popDue(100)).toBeUndefined();
    expect(t.nextDeadline()).toBeUndefined();
  });

  it('rescheduling a key replaces it; cancel removes it', () => {
    const t = new DeadlineTimers<number>();
    t.schedule('k', 10, 1);
    t.schedule('k', 50, 2);
    t.schedule('x', 20, 3);
    t.cancel('x');
    expect(t.size).toBe(1);
    expect(t.nextDeadline()).toBe(50);
    expect(t.popDue(49)).toBeUndefined();
    expect(t.popDue(50)).toEqual({ key: 'k', payload: 2 });
    expect(t.has('k')).toBe(false);
  });

  it('stays correct when many reschedules force a rebuild', () => {
    const t = new DeadlineTimers<number>();
    for (let i = 0; i < 5000; i++) t.schedule(`k${i % 10}`, 10_000 - i, i);
    expect(t.size).toBe(10);
    const fired: number[] = [];
    for (let due = t.popDue(1e9); due !== undefined; due = t.popDue(1e9)) fired.push(due.payload);
    expect(fired).toEqual([4999, 4998, 4997, 4996, 4995, 4994, 4993, 4992, 4991, 4990]);
  });
});
