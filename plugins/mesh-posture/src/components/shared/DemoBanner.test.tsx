import { render, screen } from '@testing-library/react';
import { useState } from 'react';
import { act } from 'react-dom/test-utils';
import { DemoBanner } from './DemoBanner';

/** Three cards on one page, each with demo data; the first can go. */
function Page() {
  const [first, setFirst] = useState(true);
  return (
    <>
      <button onClick={() => setFirst(false)}>close the first card</button>
      {first && (
        <section aria-label="posture">
          <DemoBanner />
        </section>
      )}
      <section aria-label="signals">
        <DemoBanner />
      </section>
      <section aria-label="canaries">
        <DemoBanner />
      </section>
    </>
  );
}

describe('DemoBanner', () => {
  it('says "demo data" once per page, and again when its card goes', async () => {
    render(<Page />);
    expect(await screen.findAllByText(/^Demo data/)).toHaveLength(1);
    expect(
      screen.getByRole('region', { name: 'posture' }).textContent,
    ).toContain('Demo data');
    act(() => screen.getByText('close the first card').click());
    expect(screen.getAllByText(/^Demo data/)).toHaveLength(1);
    expect(
      screen.getByRole('region', { name: 'signals' }).textContent,
    ).toContain('Demo data');
  });
});
