import Button from '@material-ui/core/Button';
import FormControl from '@material-ui/core/FormControl';
import Grid from '@material-ui/core/Grid';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import type { ScorecardFilter } from '@mesh-posture/plugin-mesh-posture-common';
import { EntityDisplayName } from '@backstage/plugin-catalog-react';
import { Fragment, ReactNode } from 'react';

export const FILTER_KEYS = [
  'owner',
  'system',
  'lifecycle',
  'cluster',
  'mesh',
  'level',
] as const;

const LABELS: Record<(typeof FILTER_KEYS)[number], string> = {
  owner: 'Owner',
  system: 'System',
  lifecycle: 'Lifecycle',
  cluster: 'Cluster',
  mesh: 'Mesh',
  level: 'Level',
};

/** A value as people know it: owners and systems by their display names. */
const display = (key: string, value: string): ReactNode => {
  if (key === 'owner' || key === 'system') {
    return <EntityDisplayName entityRef={value} hideIcon disableTooltip />;
  }
  return value === 'none' && key === 'level' ? 'No level' : value;
};

/** One multi-select per filter, offering the values the catalog has. */
export function ScorecardFilters(props: {
  filter: ScorecardFilter;
  facets: Required<ScorecardFilter>;
  onChange: (filter: ScorecardFilter) => void;
}) {
  const { filter, facets, onChange } = props;
  const active = FILTER_KEYS.some(k => (filter[k] ?? []).length > 0);
  return (
    <Grid container spacing={2} alignItems="flex-end">
      {FILTER_KEYS.map(key => {
        // Keep a chosen value listed even if the latest run no longer has it.
        const options = [
          ...new Set([...(facets[key] ?? []), ...(filter[key] ?? [])]),
        ];
        const id = `zero-trust-filter-${key}`;
        return (
          <Grid item xs={6} sm={4} md={2} key={key}>
            <FormControl fullWidth>
              <InputLabel id={`${id}-label`}>{LABELS[key]}</InputLabel>
              <Select
                labelId={`${id}-label`}
                id={id}
                multiple
                value={filter[key] ?? []}
                renderValue={selected =>
                  (selected as string[]).map((v, i) => (
                    <Fragment key={v}>
                      {i > 0 && ', '}
                      {display(key, v)}
                    </Fragment>
                  ))
                }
                onChange={event =>
                  onChange({
                    ...filter,
                    [key]: event.target.value as string[],
                  })
                }
              >
                {options.map(value => (
                  <MenuItem key={value} value={value}>
                    {display(key, value)}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
          </Grid>
        );
      })}
      {active && (
        <Grid item>
          <Button size="small" onClick={() => onChange({})}>
            Clear filters
          </Button>
        </Grid>
      )}
    </Grid>
  );
}
