import { stringifyEntityRef } from '@backstage/catalog-model';
import { EmptyState, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  ChecklistExportFormat,
  ChecklistView,
  EntityChecklistsResponse,
  MESH_POSTURE_CHECKLISTS_ANNOTATION,
  meshPostureChecklistExemptPermission,
  meshPostureChecklistUpdatePermission,
} from '@mesh-posture/plugin-mesh-posture-common';
import { useState } from 'react';
import { meshPostureApiRef } from '../../api';
import { ChecklistCard } from './ChecklistCard';
import { errorMessage } from './errorMessage';
import { RelativeTime } from '../shared/RelativeTime';
import { download } from '../shared/download';
import { PosturePending, useEntityPosture } from '../shared/entityPosture';

function PostureLine(props: { posture: EntityChecklistsResponse['posture'] }) {
  const { posture } = props;
  if (!posture.available) {
    return (
      <Alert severity="warning">
        Automatic items have no mesh data and count as open: {posture.reason}.
      </Alert>
    );
  }
  return (
    <Typography variant="body2" color="textSecondary">
      Automatic items are judged on the live mesh posture read{' '}
      <RelativeTime at={posture.generatedAt} /> over {posture.window}
      {posture.demo ? ' (demo data)' : ''}.
    </Typography>
  );
}

/**
 * The entity's "Compliance" tab: each checklist that applies to it with
 * progress, items by section, the mesh's answers with their evidence,
 * history, attestation and exports. Editable for those the permission
 * policy allows; read-only, saying why, for everyone else.
 */
export function ComplianceTab() {
  // Checklists apply without workloads too: their automatic items count as open.
  const loaded = useEntityPosture((api, ref) => api.getChecklists(ref), [], {
    needsWorkloads: false,
  });
  const { entity, entityRef } = loaded;
  const api = useApi(meshPostureApiRef);
  const resourceRef = stringifyEntityRef(entity);
  const update = usePermission({
    permission: meshPostureChecklistUpdatePermission,
    resourceRef,
  });
  const exempt = usePermission({
    permission: meshPostureChecklistExemptPermission,
    resourceRef,
  });

  const [exportError, setExportError] = useState<string>();

  // A write answers with its checklist as it now stands: shown in place of
  // the loaded one until the tab loads afresh.
  const [written, setWritten] = useState<{
    of: EntityChecklistsResponse;
    data: EntityChecklistsResponse;
  }>();
  const data = written?.of === loaded.value ? written?.data : loaded.value;

  const replace = (view: ChecklistView) =>
    setWritten(w => {
      const of = loaded.value;
      if (!of) return w;
      const current = w?.of === of ? w.data : of;
      return {
        of,
        data: {
          ...current,
          checklists: current.checklists.map(c =>
            c.template.id === view.template.id ? view : c,
          ),
        },
      };
    });

  const exportAs = async (format: ChecklistExportFormat) => {
    try {
      setExportError(undefined);
      const { filename, content } = await api.exportChecklists(
        entityRef,
        format,
      );
      download(filename, content);
    } catch (e) {
      setExportError(errorMessage(e));
    }
  };

  const exportOscal = async () => {
    try {
      setExportError(undefined);
      const { filename, content } = await api.exportOscalAssessmentResults([
        stringifyEntityRef(entityRef),
      ]);
      download(filename, content);
    } catch (e) {
      setExportError(errorMessage(e));
    }
  };

  if (!data) {
    return <PosturePending state={loaded} />;
  }
  if (update.loading) {
    return <Progress />;
  }

  const owner =
    typeof entity.spec?.owner === 'string' ? entity.spec.owner : undefined;

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <Box
        display="flex"
        alignItems="flex-start"
        justifyContent="space-between"
        style={{ gap: 16 }}
      >
        <Box>
          <Typography variant="h4" component="h2">
            Compliance checklists
          </Typography>
          <PostureLine posture={data.posture} />
          <Typography variant="body2" color="textSecondary">
            Attestations hold for {data.attestationValidityDays} days, less when
            an answer or the mesh changes.
          </Typography>
        </Box>
        {data.checklists.length > 0 && (
          <Box display="flex" style={{ gap: 8 }}>
            <Button variant="outlined" onClick={() => exportAs('markdown')}>
              Export Markdown
            </Button>
            <Button variant="outlined" onClick={() => exportAs('json')}>
              Export JSON
            </Button>
            <Tooltip title="NIST OSCAL assessment results (v1.2.1): the posture checks, checklist items and exemptions, for GRC tools">
              <Button variant="outlined" onClick={exportOscal}>
                Export OSCAL
              </Button>
            </Tooltip>
          </Box>
        )}
      </Box>
      {exportError && <Alert severity="error">{exportError}</Alert>}
      {!update.allowed && data.checklists.length > 0 && (
        <Alert severity="info">
          Read only: the permission policy does not let you change this entity's
          checklists (mesh-posture.checklist.update).
          {owner ? ` Its owner is ${owner}.` : ''}
        </Alert>
      )}
      {data.unknownTemplateIds.length > 0 && (
        <Alert severity="warning">
          The annotation {MESH_POSTURE_CHECKLISTS_ANNOTATION} names checklists
          that do not exist: {data.unknownTemplateIds.join(', ')}.
        </Alert>
      )}
      {data.checklists.length === 0 ? (
        <EmptyState
          missing="info"
          title="No checklist applies to this entity"
          description={`Name the checklists it needs in the ${MESH_POSTURE_CHECKLISTS_ANNOTATION} annotation, e.g. threat-model,zero-trust,pci-dss-v4, or configure defaults for its kind and type in meshPosture.checklists.defaults.`}
        />
      ) : (
        data.checklists.map(view => (
          <ChecklistCard
            key={view.template.id}
            entityRef={entityRef}
            view={view}
            canUpdate={update.allowed}
            canExempt={!exempt.loading && exempt.allowed}
            onChange={replace}
          />
        ))
      )}
    </Box>
  );
}
